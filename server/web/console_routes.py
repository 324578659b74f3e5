"""The technician console: server-rendered pages under ``/console/``.

Every page but sign-in and set-password needs a signed-in, enabled account (a GET without one
is sent to sign-in; anything else is refused). Every form posts a CSRF token tied to the
browser's cookie, and a POST whose Origin is another site is refused before anything else. A
session another technician opened answers as one that does not exist, unless the technician is
an administrator. Writes and password hashing run in the thread pool, so the event loop never
waits on the disk or on scrypt.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.core.session_code import format_session_code
from app.core.verification_words import derive_words
from server.domain import technicians as accounts
from server.domain.console_sessions import (
    CONSOLE_PROVIDERS,
    NotYourSession,
    cancel_for,
    listed_sessions,
    open_console_session,
    owner_of,
    parse_console_session,
    session_facts,
)
from server.domain.passwords import MIN_LENGTH, PasswordRefused
from server.domain.provider_sessions import open_support_session, switch_provider
from server.domain.refusals import InvalidCode, InvalidRequest, NotSwitchable, ProviderFailed, ProviderNotConfigured
from server.domain.sessions import NewSession, require_code
from server.domain.sign_in_limit import SignInThrottle
from server.domain.step_events import STATES
from server.domain.technicians import AccountRefused, Technician
from server.templating import PAGE_HEADERS, render
from server.web.console_cookies import (
    LOGIN_COOKIE,
    LOGIN_SECONDS,
    VISITOR_COOKIE,
    VISITOR_SECONDS,
    cookie_options,
    csrf_ok,
    csrf_token,
    signed,
    unsigned,
)
from server.web.console_views import receipt_json, receipt_view, session_view, when
from server.web.customer_routes import client_address
from server.web.services import Services

COOKIE_SECRET = "console_cookies"
# same-origin rather than no-referrer: with no-referrer a browser sends "Origin: null" on the
# console's own forms, and the Origin check below could not tell them from another site's.
HEADERS = {**PAGE_HEADERS, "Referrer-Policy": "same-origin"}
MAX_FORM_BYTES = 64 * 1024
# How long a live request waits for a change before answering "nothing new" (204): short enough
# that a server shutting down is not held up for long.
LIVE_WAIT_SECONDS = 8.0
# Fixed notices a redirect may ask for by name: a query string never puts its own words on a page.
NOTICES = {
    "signed-out": ("You are signed out.", "ok"),
    "password-set": ("Your password is set. Sign in with it.", "ok"),
    "opened": ("Session opened. Read the code and the words to the customer.", "ok"),
    "cancelled": ("Session cancelled. The customer's launcher will refuse it.", "ok"),
    "not-cancelled": ("This session can no longer be cancelled: it was consented to, cancelled or has expired.", "error"),
    "switched": ("Switched to TeamViewer. The customer's launcher follows; read them the new steps.", "ok"),
    "revoked": ("Token revoked. Tools that used it can no longer open sessions.", "ok"),
    "updated": ("Done.", "ok"),
}


class _Stop(Exception):
    """Ends a route early with ``response`` (a refusal page or a redirect)."""

    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass(frozen=True)
class _Visit:
    """Who is asking: a signed-in technician (with their login id), or a visitor (with theirs)."""

    technician: Technician | None
    browser_id: str
    new_visitor: bool = False


@dataclass(frozen=True)
class _SignedIn(_Visit):
    technician: Technician


Handler = Callable[[Any, Request], Awaitable[Response]]


def route(path: str, methods: list[str]) -> Callable[[Handler], Handler]:
    """Marks a :class:`ConsoleRoutes` method as the handler of ``methods`` on ``path``."""

    def mark(handler: Handler) -> Handler:
        handler.console_route = (path, methods)  # type: ignore[attr-defined]
        return handler

    return mark


def add_console_routes(app: FastAPI, services: Services) -> None:
    routes = ConsoleRoutes(services)
    app.state.sign_in_throttle = routes.throttle
    for name in dir(ConsoleRoutes):
        marked = getattr(getattr(ConsoleRoutes, name), "console_route", None)
        if marked is not None:
            path, methods = marked
            app.add_api_route(path, routes.endpoint(getattr(routes, name)), methods=methods, include_in_schema=False)


class ConsoleRoutes:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.store, self.brand, self.config = services.store, services.brand, services.config
        # Every store call of a page runs on the store's thread: the event loop never waits on disk.
        self.db = services.db
        self.throttle = SignInThrottle()
        self.secret = self.store.secret(COOKIE_SECRET, lambda: secrets.token_bytes(32))

    def endpoint(self, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` with the console's own refusal pages (HTML, not the API's JSON)."""

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except _Stop as stop:
                return stop.response
            except (NotYourSession, InvalidCode) as refusal:
                current = await self.signed_in(request)
                visit = None if current is None else _Visit(current[0], "login:" + current[1])
                text = refusal.message if isinstance(refusal, NotYourSession) else "There is no such session."
                return self.message(request, visit, 404, "No such session", text)

        return answer


    def base_url(self, request: Request) -> str:
        return (self.config.public_url or str(request.base_url)).rstrip("/")

    def page(self,
        request: Request, visit: _Visit | None, name: str, status: int = 200, nav: str = "", **values: Any
    ) -> HTMLResponse:
        done = NOTICES.get(request.query_params.get("done", ""))
        values.setdefault("notice", done[0] if done else None)
        values.setdefault("notice_kind", done[1] if done else None)
        body = render(
            name,
            company=self.brand.company,
            me=visit.technician if visit else None,
            csrf=csrf_token(self.secret, visit.browser_id) if visit else "",
            nav=nav,
            **values,
        )
        response = HTMLResponse(body, status_code=status, headers=HEADERS)
        if visit is not None and visit.new_visitor:
            response.set_cookie(VISITOR_COOKIE, signed(self.secret, visit.browser_id), **cookie_options(VISITOR_SECONDS))
        return response

    def message(self, request: Request, visit: _Visit | None, status: int, heading: str, text: str,
                next_url: str = "/console/sessions", next_label: str = "Back to the sessions") -> HTMLResponse:
        return self.page(request, visit, "console/message.html", status, heading=heading, text=text,
                    next_url=next_url, next_label=next_label, notice=None, notice_kind=None)

    async def signed_in(self, request: Request) -> tuple[Technician, str] | None:
        login_id = unsigned(self.secret, request.cookies.get(LOGIN_COOKIE))
        if login_id is None:
            return None
        technician = await self.db.run(accounts.technician_for_login, self.store, login_id)
        return None if technician is None else (technician, login_id)

    async def visitor(self, request: Request) -> _Visit:
        current = await self.signed_in(request)
        if current is not None:
            return _Visit(current[0], "login:" + current[1])
        visitor_id = unsigned(self.secret, request.cookies.get(VISITOR_COOKIE))
        if visitor_id is None:
            return _Visit(None, "visitor:" + accounts.new_id(), new_visitor=True)
        return _Visit(None, visitor_id if visitor_id.startswith("visitor:") else "visitor:" + visitor_id)

    async def require_account(self, request: Request, *, admin: bool = False) -> _SignedIn:
        current = await self.signed_in(request)
        if current is None:
            if request.method == "GET":
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                raise _Stop(RedirectResponse(f"/console/sign-in?next={quote(target, safe='')}", status_code=303))
            raise _Stop(
                self.message(request, None, 401, "Please sign in", "You are not signed in (or your sign-in has ended). "
                        "Sign in, then try again.", "/console/sign-in", "Sign in")
            )
        visit = _SignedIn(current[0], "login:" + current[1])
        if admin and not visit.technician.is_admin:
            raise _Stop(self.message(request, visit, 403, "Administrators only",
                                "Only an administrator can manage technicians' accounts."))
        return visit

    def same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            return True  # browsers send Origin on every cross-site POST; SameSite=Strict does the rest
        return urlsplit(origin).netloc == request.headers.get("host", "")

    async def form(self, request: Request, visit: _Visit) -> dict[str, str]:
        """The posted form, once its Origin and CSRF token are checked."""
        if not self.same_origin(request):
            raise _Stop(self.message(request, visit, 403, "Refused", "This form was sent from another site, so it was not used."))
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise _Stop(self.message(request, visit, 413, "Too much", "The form sent more than the console takes."))
        try:
            fields = {key: values[0] for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            fields = {}
        if not csrf_ok(self.secret, visit.browser_id, fields.get("csrf")):
            raise _Stop(self.message(request, visit, 403, "This form has expired",
                                "The page was open too long or came from somewhere else. Reload the page and try again.",
                                request.url.path if request.url.path.endswith(("sign-in",)) else "/console/sessions"))
        return fields

    # --- signing in and out ---------------------------------------------------------------

    @route("/console", ["GET"])
    async def console_home(self, request: Request) -> Response:
        return RedirectResponse("/console/sessions", status_code=303)

    def sign_in_page(self, request: Request, visit: _Visit, status: int = 200, error: str | None = None,
                     email: str = "") -> HTMLResponse:
        return self.page(request, visit, "console/sign_in.html", status, error=error, email=email)

    @route("/console/sign-in", ["GET"])
    async def sign_in_form(self, request: Request) -> Response:
        visit = await self.visitor(request)
        if visit.technician is not None:
            return RedirectResponse("/console/sessions", status_code=303)
        return self.sign_in_page(request, visit)

    @route("/console/sign-in", ["POST"])
    async def sign_in(self, request: Request) -> Response:
        visit = await self.visitor(request)
        fields = await self.form(request, visit)
        email = fields.get("email", "").strip()
        address = client_address(request)
        wait = self.throttle.retry_after(email, address)
        if wait is not None:
            return self.sign_in_page(
                request, visit, 429, email=email,
                error=f"Too many wrong passwords for this account or from this network. Wait {wait} seconds, then try again.",
            )
        stored = await self.db.run(accounts.password_hash_for, self.store, email)
        if not await run_in_threadpool(accounts.password_matches, fields.get("password", ""), stored):
            self.throttle.failed(email, address)
            return self.sign_in_page(
                request, visit, 401, email=email,
                error="That e-mail address and password do not match an active account. Check both and try again.",
            )
        self.throttle.succeeded(email)
        login_id = await self.db.run(accounts.start_login, self.store, email)
        target = fields.get("next") or request.query_params.get("next") or ""
        if not target.startswith("/console/") or target.startswith("//"):
            target = "/console/sessions"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(LOGIN_COOKIE, signed(self.secret, login_id), **cookie_options(LOGIN_SECONDS))
        response.delete_cookie(VISITOR_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    @route("/console/sign-out", ["POST"])
    async def sign_out(self, request: Request) -> Response:
        visit = await self.require_account(request)
        await self.form(request, visit)
        await self.db.run(accounts.end_login, self.store, visit.browser_id.removeprefix("login:"))
        response = RedirectResponse("/console/sign-in?done=signed-out", status_code=303)
        response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    async def password_link_or_stop(self, request: Request, visit: _Visit, token: str) -> Technician:
        technician = await self.db.run(accounts.technician_for_password_link, self.store, token)
        if technician is None:
            raise _Stop(self.message(request, visit, 410, "This link no longer works",
                                "This set-password link has been used or is too old. Ask your administrator for a new one.",
                                "/console/sign-in", "Sign in"))
        return technician

    @route("/console/set-password/{token}", ["GET"])
    async def set_password_form(self, request: Request) -> Response:
        visit = await self.visitor(request)
        token = request.path_params["token"]
        technician = await self.password_link_or_stop(request, visit, token)
        return self.page(request, visit, "console/set_password.html", technician=technician, link_token=token,
                    min_length=MIN_LENGTH, error=None)

    @route("/console/set-password/{token}", ["POST"])
    async def set_password(self, request: Request) -> Response:
        visit = await self.visitor(request)
        fields = await self.form(request, visit)
        token = request.path_params["token"]
        technician = await self.password_link_or_stop(request, visit, token)
        password = fields.get("password", "")

        def again(error: str) -> HTMLResponse:
            return self.page(request, visit, "console/set_password.html", 422, technician=technician, link_token=token,
                        min_length=MIN_LENGTH, error=error)

        if password != fields.get("repeat", ""):
            return again("The two passwords are not the same. Type the same password twice.")
        try:
            hashed = await run_in_threadpool(accounts.hash_new_password, technician, password)
            await self.db.run(accounts.set_password, self.store, token, hashed)
        except (PasswordRefused, AccountRefused) as refusal:
            return again(str(refusal))
        return RedirectResponse("/console/sign-in?done=password-set", status_code=303)

    # --- sessions -------------------------------------------------------------------------

    @route("/console/sessions", ["GET"])
    async def sessions(self, request: Request) -> Response:
        visit = await self.require_account(request)
        state = request.query_params.get("state") or None
        if state not in STATES:
            state = None
        rows = [
            {
                "code": item.session.code,
                "grouped_code": format_session_code(item.session.code),
                "state_label": STATES[item.state],
                "ticket": item.session.ticket,
                "customer_name": item.owner.customer_name if item.owner else None,
                "technician": item.session.technician,
                "created": when(item.session.created_at),
            }
            for item in await self.db.run(listed_sessions, self.store, visit.technician, state)
        ]
        return self.page(request, visit, "console/sessions.html", nav="sessions", rows=rows, state=state,
                    states=list(STATES.items()))

    def new_session_page(self, request: Request, visit: _SignedIn, form_values: dict[str, str], status: int = 200,
                         error: str | None = None) -> HTMLResponse:
        providers = [
            ("zoho-assist", "Zoho Assist", "paste the customer's join link of the session you started"),
            ("teamviewer", "TeamViewer", "paste the customer's QuickSupport link (get.teamviewer.com/s…)"),
        ]
        values = {"ticket": "", "customer_name": "", "customer_email": "", "provider": "zoho-assist", "join_url": ""}
        values.update({key: form_values.get(key, "") for key in values if form_values.get(key)})
        values["through_api"] = " or ".join(CONSOLE_PROVIDERS[name] for name in sorted(self.providers_through_api()))
        return self.page(request, visit, "console/new_session.html", status, nav="new", form=values,
                    providers=providers, error=error, demo=self.config.demo)

    @route("/console/sessions/new", ["GET"])
    async def new_session_form(self, request: Request) -> Response:
        return self.new_session_page(request, await self.require_account(request), {})

    @route("/console/sessions", ["POST"])
    async def create_session(self, request: Request) -> Response:
        visit = await self.require_account(request)
        fields = await self.form(request, visit)
        through_api = self.providers_through_api()
        try:
            new = parse_console_session(fields, self.brand, demo=self.config.demo, through_api=through_api)
            if new.join_url is None and new.provider in through_api:
                # No link pasted: the provider's API opens the session (and gives the technician's link).
                session = await open_support_session(
                    self.store, self.services.providers, self.brand,
                    NewSession(technician=visit.technician.name, ticket=new.ticket, join_url=None,
                               provider=new.provider, customer_email=new.customer_email),
                    owner=owner_of(visit.technician, new),
                    run=self.db.run,
                )
            else:
                demo_link = (lambda code: f"{self.base_url(request)}/demo/join/{code}") if self.config.demo else None
                session = await self.db.run(open_console_session, self.store, visit.technician, new, demo_link)
        except (InvalidRequest, ProviderNotConfigured, ProviderFailed) as refusal:
            return self.new_session_page(request, visit, fields, 422, refusal.message)
        self.services.live.changed()
        return RedirectResponse(f"/console/sessions/{session.code}?done=opened", status_code=303)

    def providers_through_api(self) -> frozenset[str]:
        """The providers this server can open sessions with itself (their API is set up)."""
        settings = self.services.providers.settings
        return frozenset(
            name for name, configured in (("zoho-assist", settings.zoho), ("teamviewer", settings.teamviewer)) if configured
        )

    @route("/console/sessions/{code}/switch-provider", ["POST"])
    async def switch_to_teamviewer(self, request: Request) -> Response:
        visit = await self.require_account(request)
        await self.form(request, visit)
        code = require_code(request.path_params["code"])
        await self.db.run(session_facts, self.store, visit.technician, code)  # refuses somebody else's session
        try:
            await switch_provider(
                self.store, self.services.providers, self.brand, code, "teamviewer", technician=visit.technician.name,
                run=self.db.run,
            )
        except (ProviderNotConfigured, ProviderFailed, NotSwitchable) as refusal:
            return self.message(request, visit, 409 if not isinstance(refusal, ProviderFailed) else 502,
                                "Not switched", refusal.message, f"/console/sessions/{code}", "Back to the session")
        self.services.live.changed()
        return RedirectResponse(f"/console/sessions/{code}?done=switched", status_code=303)

    async def view_of(self, request: Request, visit: _SignedIn, code: str) -> dict[str, Any]:
        facts = await self.db.run(session_facts, self.store, visit.technician, require_code(code))
        words = derive_words(self.services.words_secret, code)
        view = session_view(
            facts,
            company=self.brand.company,
            words=words,
            customer_link=self.config.customer_link(code, self.base_url(request)),
        )
        # Offered only where this server can open a TeamViewer session itself.
        view["can_switch"] = view["can_switch"] and "teamviewer" in self.providers_through_api()
        return view

    @route("/console/sessions/{code}", ["GET"])
    async def session_page(self, request: Request) -> Response:
        visit = await self.require_account(request)
        view = await self.view_of(request, visit, request.path_params["code"])
        return self.page(request, visit, "console/session.html", nav="sessions", view=view)

    @route("/console/sessions/{code}/live", ["GET"])
    async def session_live(self, request: Request) -> Response:
        if await self.signed_in(request) is None:
            return Response(status_code=401, headers={"Cache-Control": "no-store"})
        visit = await self.require_account(request)
        since = request.query_params.get("since")
        # Waits for a change (long polling): the page shows it as soon as it is stored.
        deadline = time.monotonic() + LIVE_WAIT_SECONDS
        change = self.services.live.next_change()
        view = await self.view_of(request, visit, request.path_params["code"])
        while since == view["version"] and time.monotonic() < deadline and not await request.is_disconnected():
            await self.services.live.wait(change)
            change = self.services.live.next_change()
            view = await self.view_of(request, visit, request.path_params["code"])
        if since == view["version"]:
            return Response(status_code=204)
        body = render("console/session_live.html", view=view, csrf=csrf_token(self.secret, visit.browser_id))
        return HTMLResponse(body, headers={**HEADERS, "X-Live-Version": view["version"]})

    @route("/console/sessions/{code}/cancel", ["POST"])
    async def cancel(self, request: Request) -> Response:
        visit = await self.require_account(request)
        await self.form(request, visit)
        code = require_code(request.path_params["code"])
        cancelled = await self.db.run(cancel_for, self.store, visit.technician, code)
        self.services.live.changed()
        return RedirectResponse(f"/console/sessions/{code}?done={'cancelled' if cancelled else 'not-cancelled'}",
                                status_code=303)

    async def consented_facts(self, request: Request, visit: _SignedIn):
        facts = await self.db.run(session_facts, self.store, visit.technician, require_code(request.path_params["code"]))
        if facts.consent is None:
            raise _Stop(self.message(request, visit, 404, "No consent yet",
                                "The customer has not given permission for this session yet, so there is no receipt.",
                                f"/console/sessions/{facts.session.code}", "Back to the session"))
        return facts

    @route("/console/sessions/{code}/receipt", ["GET"])
    async def receipt(self, request: Request) -> Response:
        visit = await self.require_account(request)
        facts = await self.consented_facts(request, visit)
        return self.page(request, visit, "console/receipt.html", nav="sessions", receipt=receipt_view(facts))

    @route("/console/sessions/{code}/receipt.json", ["GET"])
    async def receipt_as_json(self, request: Request) -> Response:
        visit = await self.require_account(request)
        facts = await self.consented_facts(request, visit)
        return JSONResponse(
            receipt_json(facts),
            headers={"Content-Disposition": f'inline; filename="consent-receipt-{facts.consent.reference}.json"'},
        )

    # --- API tokens -----------------------------------------------------------------------

    async def tokens_page(self, request: Request, visit: _SignedIn, status: int = 200, **values: Any) -> HTMLResponse:
        tokens = [
            {"id": t.id, "label": t.label, "created": when(t.created_at), "tail": t.tail,
             "revoked": when(t.revoked_at) if t.revoked_at else None}
            for t in await self.db.run(accounts.api_tokens, self.store, visit.technician)
        ]
        values.setdefault("new_token", None)
        values.setdefault("error", None)
        return self.page(request, visit, "console/tokens.html", status, nav="tokens", tokens=tokens, **values)

    @route("/console/tokens", ["GET"])
    async def tokens(self, request: Request) -> Response:
        return await self.tokens_page(request, await self.require_account(request))

    @route("/console/tokens", ["POST"])
    async def create_token(self, request: Request) -> Response:
        visit = await self.require_account(request)
        fields = await self.form(request, visit)
        try:
            row, token = await self.db.run(accounts.create_api_token, self.store, visit.technician, fields.get("label", ""))
        except AccountRefused as refusal:
            return await self.tokens_page(request, visit, 422, error=refusal.message)
        # Shown in this answer only; it is not a redirect, so the token never sits in a URL or history.
        return await self.tokens_page(request, visit, 201, new_token={"label": row.label, "secret": token})

    @route("/console/tokens/{token_id}/revoke", ["POST"])
    async def revoke_token(self, request: Request) -> Response:
        visit = await self.require_account(request)
        await self.form(request, visit)
        await self.db.run(accounts.revoke_api_token, self.store, visit.technician, request.path_params["token_id"])
        return RedirectResponse("/console/tokens?done=revoked", status_code=303)

    # --- technicians (administrators) -----------------------------------------------------

    async def technicians_page(self, request: Request, visit: _SignedIn, status: int = 200, **values: Any) -> HTMLResponse:
        rows = [
            {**t.__dict__, "state_label": "Disabled" if t.disabled else ("Active" if t.has_password else "Password not set yet")}
            for t in await self.db.run(accounts.technicians, self.store)
        ]
        values.setdefault("link", None)
        values.setdefault("error", None)
        return self.page(request, visit, "console/technicians.html", status, nav="technicians", technicians=rows, **values)

    def link_notice(self, request: Request, technician: Technician, token: str) -> dict[str, Any]:
        return {"name": technician.name, "url": f"{self.base_url(request)}/console/set-password/{token}",
                "hours": accounts.PASSWORD_LINK_HOURS}

    @route("/console/technicians", ["GET"])
    async def technicians(self, request: Request) -> Response:
        return await self.technicians_page(request, await self.require_account(request, admin=True))

    @route("/console/technicians", ["POST"])
    async def add_technician(self, request: Request) -> Response:
        visit = await self.require_account(request, admin=True)
        fields = await self.form(request, visit)
        try:
            technician, token = await self.db.run(
                lambda: accounts.add_technician(
                    self.store, email=fields.get("email", ""), name=fields.get("name", ""), is_admin=fields.get("admin") == "yes"
                )
            )
        except AccountRefused as refusal:
            return await self.technicians_page(request, visit, 422, error=refusal.message)
        return await self.technicians_page(request, visit, 201, link=self.link_notice(request, technician, token))

    @route("/console/technicians/{technician_id}/{action}", ["POST"])
    async def change_technician(self, request: Request) -> Response:
        visit = await self.require_account(request, admin=True)
        await self.form(request, visit)
        technician_id, action = request.path_params["technician_id"], request.path_params["action"]
        try:
            if action in ("disable", "enable"):
                await self.db.run(accounts.set_disabled, self.store, visit.technician, technician_id, action == "disable")
            elif action == "remove":
                await self.db.run(accounts.remove_technician, self.store, visit.technician, technician_id)
            elif action == "password-link":
                if technician_id == visit.technician.id:
                    raise AccountRefused("Ask another administrator for a new link to your own account.")
                technician, token = await self.db.run(accounts.new_password_link, self.store, technician_id)
                return await self.technicians_page(request, visit, link=self.link_notice(request, technician, token))
            else:
                return self.message(request, visit, 404, "Not found", "There is nothing at this address.")
        except AccountRefused as refusal:
            return await self.technicians_page(request, visit, 422, error=refusal.message)
        return RedirectResponse("/console/technicians?done=updated", status_code=303)
