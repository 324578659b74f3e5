import pytest

from app.core.consent_record import (
    ACKNOWLEDGEMENTS,
    AppSummary,
    BackupSummary,
    ConsentRecord,
    ConsentRecordError,
    OpenAppsSummary,
    TermsAccepted,
    new_receipt_id,
    utc_now_iso,
)


def consent_record(**fields) -> ConsentRecord:
    defaults = {
        "receipt_id": new_receipt_id(),
        "session_code": "482913557",
        "given_at": utc_now_iso(),
        "name": "Ann Example",
        "terms": TermsAccepted("t", "1", "a" * 64, "en"),
        "acknowledgements": dict.fromkeys(ACKNOWLEDGEMENTS, True),
        "open_apps": OpenAppsSummary(left_open=(AppSummary("Thunderbird", "email"),)),
        "backup": BackupSummary("recent", "folder", 3600, None, False),
        "client_version": "0.1.0",
        "os_family": "linux",
    }
    return ConsentRecord(**{**defaults, **fields})


def record(**changes):
    return {**consent_record().to_dict(), **changes}


def test_a_record_survives_the_trip_through_json():
    data = record()
    assert ConsentRecord.from_dict(data).to_dict() == data


@pytest.mark.parametrize(
    "change, field",
    [
        ({"pid": 4242}, "pid"),
        ({"window_titles": ["Inbox – Ann"]}, "window_titles"),
        ({"session_code": "48291355"}, "session_code"),
        ({"given_at": "2026-11-26T10:00:00+01:00"}, "a UTC time"),
        ({"receipt_id": "not-a-uuid"}, "receipt_id"),
        ({"os_family": "amiga"}, "os_family"),
        ({"name": "   "}, "name"),
    ],
)
def test_anything_off_schema_is_refused_with_the_field_named(change, field):
    with pytest.raises(ConsentRecordError) as refused:
        ConsentRecord.from_dict(record(**change))
    assert field in str(refused.value)


def test_open_apps_carry_names_and_categories_only():
    data = record()
    data["open_apps"]["left_open"][0]["path"] = "/usr/bin/thunderbird"
    with pytest.raises(ConsentRecordError, match="path"):
        ConsentRecord.from_dict(data)


def test_backup_summary_carries_no_path():
    data = record()
    data["backup"]["folder"] = "/media/ann/USB"
    with pytest.raises(ConsentRecordError, match="folder"):
        ConsentRecord.from_dict(data)


def test_every_acknowledgement_must_be_present():
    data = record()
    del data["acknowledgements"]["this_session_only"]
    with pytest.raises(ConsentRecordError, match="acknowledgements"):
        ConsentRecord.from_dict(data)


def test_the_wire_form_holds_every_field_of_the_record():
    # to_dict is written out field by field (fast); a field added to the record must reach the wire.
    import dataclasses

    full = consent_record(
        open_apps=OpenAppsSummary(
            left_open=(AppSummary("Thunderbird", "email"),), closed=(AppSummary("Firefox", "browser"),), windows_listed=False
        ),
        backup=BackupSummary("recent", "folder", 3600, 0.5, True),
    )
    expected = dataclasses.asdict(full)
    expected["open_apps"] = {**expected["open_apps"], "left_open": [{"name": "Thunderbird", "category": "email"}],
                             "closed": [{"name": "Firefox", "category": "browser"}]}
    assert full.to_dict() == expected
    assert full.to_dict()["acknowledgements"] is not full.acknowledgements  # a copy: changing it changes no record
