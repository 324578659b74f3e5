"""Without a session bus the launcher goes without one rather than autolaunch a daemon."""

import socket

from app.core.session_bus import ADDRESS, DISABLED, never_autolaunch_a_session_bus


def test_where_no_bus_runs_the_bus_is_disabled_for_the_launcher_only(tmp_path):
    environ = {"XDG_RUNTIME_DIR": str(tmp_path), "HOME": "/home/ann"}
    assert never_autolaunch_a_session_bus(environ, "linux")
    assert environ[ADDRESS] == DISABLED
    assert never_autolaunch_a_session_bus({}, "linux")  # not even a runtime folder


def test_a_running_bus_is_used_as_it_is(tmp_path):
    environ = {ADDRESS: "unix:path=/run/user/1000/bus"}
    assert not never_autolaunch_a_session_bus(environ, "linux")
    assert environ[ADDRESS] == "unix:path=/run/user/1000/bus"
    # systemd's user bus: no address in the environment, a socket at $XDG_RUNTIME_DIR/bus.
    with socket.socket(socket.AF_UNIX) as bus:
        bus.bind(str(tmp_path / "bus"))
        environ = {"XDG_RUNTIME_DIR": str(tmp_path)}
        assert not never_autolaunch_a_session_bus(environ, "linux")
        assert ADDRESS not in environ


def test_a_file_named_bus_is_not_a_bus_and_other_systems_are_left_alone(tmp_path):
    (tmp_path / "bus").write_text("")
    assert never_autolaunch_a_session_bus({"XDG_RUNTIME_DIR": str(tmp_path)}, "linux")
    for platform in ("win32", "darwin"):
        environ = {}
        assert not never_autolaunch_a_session_bus(environ, platform)
        assert environ == {}
