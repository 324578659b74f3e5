"""Console accounts made through the domain (for the console tests and `make bench-console`), and an
HTTP client that keeps the console's cookies the way a browser on loopback does.

httpx follows the standard library's cookie rules, which never send a ``Secure`` cookie over
plain http; browsers treat loopback as secure and do. So this client keeps the cookies itself.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx

from server.domain import technicians as accounts
from server.domain.passwords import hash_password

PASSWORD = "correct horse battery staple"


def add_account(store, email: str, name: str, *, admin: bool = False, password: str = PASSWORD):
    technician, token = accounts.add_technician(store, email=email, name=name, is_admin=admin)
    accounts.set_password(store, token, hash_password(password))
    return technician


class Browser:
    """A console client on one server: ``sign_in``, then ``get``/``post`` forms with the CSRF
    token of the last page it read (or a given one)."""

    def __init__(self, base_url: str, origin: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.origin = origin

    def close(self) -> None:
        self.http.close()

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        found = re.search(r'name="csrf" value="([^"]*)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def _headers(self) -> dict[str, str]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.origin:
            headers["Origin"] = self.origin
        return headers

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._headers(), **kwargs))

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: str | None = None) -> httpx.Response:
        form = {"csrf": self.csrf if csrf is None else csrf, **(data or {})}
        return self._keep(self.http.post(path, data=form, headers=self._headers()))

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/console/sign-in")
        response = self.post("/console/sign-in", {"email": email, "password": password})
        if response.status_code == 303:
            self.get(response.headers["location"])
        return response
