"""Which step events the wizard sends as the customer moves on (see app.core.step_event).

"Launcher started" is sent by the Session page once the code checked out; the others when a
page is reached going forward, from what the journey holds at that moment. Walking Back and
forward again sends the step again with a new id, so the console shows the latest answer (the
customer may have closed another application meanwhile).
"""

from __future__ import annotations

from app.core.journey import Journey, Step
from app.core.step_event import StepEvent, left_open_details, new_step_event


def reports_on_arrival(step: Step, journey: Journey) -> list[StepEvent]:
    """The events due when the customer arrives on ``step`` from the page before it."""
    if step == Step.OPEN_APPS:
        return [new_step_event("terms_accepted")]
    if step == Step.BACKUP:
        return [new_step_event("open_apps_checked", left_open=left_open_details(journey.open_apps.left_open))]
    if step == Step.CONSENT and journey.backup is not None:
        return [new_step_event("backup_checked", verdict=journey.backup.verdict, kind=journey.backup.kind)]
    return []


def join_link_report(provider: str, browser_opened: bool) -> StepEvent:
    """Sent by the Connect page once the checked join link was handed to the browser (or not)."""
    return new_step_event("join_link_opened", provider=provider, browser_opened=browser_opened)
