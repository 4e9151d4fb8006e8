"""The procedure's figures (domain.md §2.3) and every deadline and schedule computed from them.

`Timing` holds the figures, and its defaults are the only place they are written: the settings
override some of them (`CommonSettings.timing`), each new workflow receives the result as input
and keeps it for life, and the activities, pages and reports compute with the same functions
below. Functions that count working days take the calendar; the others are plain date
arithmetic in Vietnam time, safe to call inside the workflow sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from common.law.calendar import (
    WorkingDayCalendar,
    close_of_day,
    local_date,
    morning_of,
    start_of_day,
)
from common.law.vocabulary import Procedure, Role


@dataclass(frozen=True)
class Timing:
    """The figures of domain.md §2.3; those marked configurable there are settings, and a
    workflow keeps the values it started with."""

    # Each consultation opinion: 7 working days from receipt of a complete dossier.
    consultation_working_days: int = 7
    # The reduced procedure (Art. 35): 3 working days.
    reduced_working_days: int = 3
    # The Prime Minister's opinion on a disagreement at provincial level.
    pm_working_days: int = 7
    # Consultation reminder, working days before the deadline (configurable).
    reminder_working_days_before: int = 2
    # Copy (and report) after signing, calendar days from signing.
    copy_calendar_days: int = 15
    # Notice of termination, withdrawal or suspension, calendar days from its effective date.
    notice_calendar_days: int = 15
    # Reminders of the copy or notice, calendar days before it is due (configurable).
    copy_reminder_days_before: tuple[int, ...] = (5, 1)
    # The yearly implementation plan is due on 15 November of the preceding year.
    plan_due_month: int = 11
    plan_due_day: int = 15
    plan_reminder_days_before: int = 30
    # Expiry reminders, days before the end (configurable).
    expiry_reminder_days: tuple[int, ...] = (180, 90, 30)
    # Copies of agreements below provincial level go to the Ministry too (configurable).
    copy_to_mofa_for_all_levels: bool = False
    # Who decides for provincial bodies of organisations (configurable, domain.md §1).
    provincial_org_decider: Role = Role.PROVINCIAL_LEADER

    def consultation_days(self, procedure: Procedure | str) -> int:
        """Working days each consulted body has under the procedure."""
        if Procedure(procedure) is Procedure.REDUCED:
            return self.reduced_working_days
        return self.consultation_working_days


@dataclass(frozen=True)
class TaskDeadline:
    """When a task falls due, when its reminder goes out, and when the first escalation does
    (08:00 on the first working day after the deadline)."""

    due_at: datetime
    reminder_at: datetime | None
    escalate_at: datetime


@dataclass(frozen=True)
class Reminder:
    """A reminder at `at`, `days` (calendar days) before what it announces."""

    at: datetime
    days: int


@dataclass(frozen=True)
class Schedule:
    """The reminders still to come before a date, and the moment it has passed."""

    reminders: list[Reminder]
    passed_at: datetime


@dataclass(frozen=True)
class PlanReminder:
    """The next reminder of the yearly implementation plan for `year`, due on `due_on`."""

    at: datetime
    year: int
    due_on: date


# --- working-day deadlines (the activities compute these with the one calendar) ------------


def next_escalation(calendar: WorkingDayCalendar, after: datetime) -> datetime:
    """08:00 local on the first working day after `after`'s local date: when an overdue task
    is escalated to the body's supervisor, and again each working day."""
    return morning_of(calendar.add_working_days(local_date(after), 1))


def working_days_deadline(
    calendar: WorkingDayCalendar, received_at: datetime, working_days: int
) -> datetime:
    """The close of the N-th working day after the day (in Vietnam) of `received_at`: a
    dossier received late on Friday UTC may already count as received on Saturday."""
    return close_of_day(calendar.add_working_days(local_date(received_at), working_days))


def consultation_deadline(
    calendar: WorkingDayCalendar,
    received_at: datetime,
    *,
    working_days: int,
    reminder_working_days_before: int,
) -> TaskDeadline:
    """A consultation received at `received_at`: due at the close of the N-th working day
    after the day of receipt, reminded on the morning of the working day that leaves
    `reminder_working_days_before` of them (none when that is not after receipt)."""
    received_on = local_date(received_at)
    due_at = working_days_deadline(calendar, received_at, working_days)
    remind_after = working_days - reminder_working_days_before
    reminder_at = (
        morning_of(calendar.add_working_days(received_on, remind_after))
        if remind_after >= 1
        else None
    )
    return TaskDeadline(
        due_at=due_at, reminder_at=reminder_at, escalate_at=next_escalation(calendar, due_at)
    )


def pm_opinion_deadline(
    calendar: WorkingDayCalendar, requested_at: datetime, *, working_days: int
) -> TaskDeadline:
    """The Prime Minister's opinion: N working days, no reminder, escalated once overdue."""
    due_at = working_days_deadline(calendar, requested_at, working_days)
    return TaskDeadline(
        due_at=due_at, reminder_at=None, escalate_at=next_escalation(calendar, due_at)
    )


# --- calendar-day duties ---------------------------------------------------------------------


def calendar_days_deadline(calendar: WorkingDayCalendar, start: date, calendar_days: int) -> date:
    """The last day of a period of N calendar days from an event on `start`: counted from the
    day after (Civil Code Art. 147), and when that day is not a working day the period ends
    at the close of the next working day (Art. 148)."""
    last = start + timedelta(days=calendar_days)
    while not calendar.is_working_day(last):
        last += timedelta(days=1)
    return last


def copy_due_on(calendar: WorkingDayCalendar, signed_on: date, *, calendar_days: int) -> date:
    """The last day to send the signed copy and the report to the Prime Minister:
    `Timing.copy_calendar_days` after signing."""
    return calendar_days_deadline(calendar, signed_on, calendar_days)


def notice_due_on(calendar: WorkingDayCalendar, effective_on: date, *, calendar_days: int) -> date:
    """The last day to notify the Ministry of a termination, withdrawal or suspension:
    `Timing.notice_calendar_days` after it takes effect."""
    return calendar_days_deadline(calendar, effective_on, calendar_days)


def duty_due_at(due_on: date) -> datetime:
    """A duty due on a day may be done until that day closes."""
    return close_of_day(due_on)


def on_time(done_on: date, due_on: date) -> bool:
    return done_on <= due_on


# --- schedules the workflow keeps (pure: no calendar, no clock but the one given) -----------


def duty_schedule(due_on: date, timing: Timing, now: datetime) -> Schedule:
    """Reminders of a copy or notice still ahead of `now`, and the moment it is overdue (the
    start of the day after it was due)."""
    reminders = [
        Reminder(at=at, days=days)
        for days in timing.copy_reminder_days_before
        if (at := morning_of(due_on - timedelta(days=days))) > now
    ]
    return Schedule(reminders=reminders, passed_at=start_of_day(due_on + timedelta(days=1)))


def expiry_schedule(expires_on: date, timing: Timing, now: datetime) -> Schedule:
    """Expiry reminders still ahead of `now`, and the moment it expires: in force through its
    last day, it expires as that day ends."""
    reminders = [
        Reminder(at=at, days=days)
        for days in timing.expiry_reminder_days
        if (at := morning_of(expires_on - timedelta(days=days))) > now
    ]
    return Schedule(reminders=reminders, passed_at=start_of_day(expires_on + timedelta(days=1)))


def next_plan(
    now: datetime, *, last_due_on: date | None, expires_on: date | None, timing: Timing
) -> PlanReminder | None:
    """The next reminder of the yearly implementation plan (due 15 November for the year
    after), while the agreement will still be in force that year; None once it will not."""
    year = local_date(now).year
    while True:
        due_on = date(year, timing.plan_due_month, timing.plan_due_day)
        if start_of_day(due_on) > now and (last_due_on is None or due_on > last_due_on):
            break
        year += 1
    plan_year = year + 1
    if expires_on is not None and expires_on < date(plan_year, 1, 1):
        return None
    remind = morning_of(due_on - timedelta(days=timing.plan_reminder_days_before))
    return PlanReminder(at=max(remind, now), year=plan_year, due_on=due_on)


def takes_effect_at(day: date) -> datetime:
    """A change, an entry into force or an ending dated `day` takes effect as the day starts
    in Vietnam."""
    return start_of_day(day)
