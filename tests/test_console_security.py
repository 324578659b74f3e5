"""The console's security parts on their own: password hashes, the wrong-password slow-down,
signed cookies and CSRF tokens."""

from __future__ import annotations

import pytest

from server.domain.passwords import MIN_LENGTH, PasswordRefused, check_new_password, hash_password, verify_password
from server.domain.sign_in_limit import SignInLimit, SignInThrottle
from server.web.console_cookies import csrf_ok, csrf_token, signed, unsigned


def test_a_password_verifies_and_nothing_else_does():
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt$14$8$1$")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterY", stored)
    assert not verify_password("correct horse battery", None)  # an account without a password
    assert not verify_password("correct horse battery", "plain-text-not-a-hash")
    # The same password twice gives two different hashes (a random salt each).
    assert hash_password("correct horse battery") != stored


@pytest.mark.parametrize("password", ["short", "x" * (MIN_LENGTH - 1), "sam@phonetex.example".upper(), "y" * 1025])
def test_weak_new_passwords_are_refused_with_what_to_choose(password):
    with pytest.raises(PasswordRefused) as refused:
        check_new_password(password, email="sam@phonetex.example")
    assert "Choose a password" in str(refused.value)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passwords_slow_an_account_down_and_a_right_one_clears_it():
    clock = Clock()
    throttle = SignInThrottle(SignInLimit(free_failures=3, base_delay=2, max_delay=60), clock=clock)
    for _ in range(2):
        throttle.failed("Sam@Phonetex.example", "192.0.2.1")
        assert throttle.retry_after("sam@phonetex.example", "192.0.2.1") is None
    throttle.failed("sam@phonetex.example", "192.0.2.1")
    # The third wrong password: wait 2 s, from any address, before the account may try again.
    assert throttle.retry_after("sam@phonetex.example", "198.51.100.7") == 2
    throttle.failed("sam@phonetex.example", "192.0.2.1")
    assert throttle.retry_after("sam@phonetex.example", "198.51.100.7") == 4  # doubling
    clock.now += 4
    assert throttle.retry_after("sam@phonetex.example", "198.51.100.7") is None
    for _ in range(10):
        throttle.failed("sam@phonetex.example", "192.0.2.1")
    assert throttle.retry_after("sam@phonetex.example", "198.51.100.7") == 60  # capped
    throttle.succeeded("sam@phonetex.example")
    assert throttle.retry_after("sam@phonetex.example", "198.51.100.7") is None


def test_wrong_passwords_slow_an_address_down_across_accounts():
    clock = Clock()
    throttle = SignInThrottle(SignInLimit(free_failures=3, free_failures_per_address=5, base_delay=2), clock=clock)
    for number in range(5):
        throttle.failed(f"user{number}@phonetex.example", "2001:db8::1")
    # A sixth account from the same /64 must wait; the same account from elsewhere need not.
    assert throttle.retry_after("someone.else@phonetex.example", "2001:db8::99") == 2
    assert throttle.retry_after("someone.else@phonetex.example", "192.0.2.1") is None
    # A right password for one account does not clear its address.
    throttle.succeeded("user0@phonetex.example")
    assert throttle.retry_after("user0@phonetex.example", "2001:db8::1") == 2


def test_signed_cookies_refuse_tampering():
    secret, other = b"s" * 32, b"t" * 32
    cookie = signed(secret, "login-id")
    assert unsigned(secret, cookie) == "login-id"
    assert unsigned(other, cookie) is None
    assert unsigned(secret, "other-id" + cookie[len("login-id"):]) is None
    assert unsigned(secret, "login-id") is None
    assert unsigned(secret, None) is None


def test_csrf_tokens_belong_to_one_browser():
    secret = b"s" * 32
    token = csrf_token(secret, "browser-a")
    assert csrf_ok(secret, "browser-a", token)
    assert not csrf_ok(secret, "browser-b", token)
    assert not csrf_ok(secret, "browser-a", token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not csrf_ok(secret, "browser-a", "")
    assert not csrf_ok(secret, None, token)
