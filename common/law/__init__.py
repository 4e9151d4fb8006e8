"""The law as one pure package: every rule of the procedure has its one home here.

- `vocabulary`: statuses, task kinds, outcomes, roles, procedures, case kinds (enums)
- `routing`: consulted bodies, decider, copy recipients, who may act on a task
- `deadlines`: `Timing` (the only defaults of domain.md §2.3) and every deadline and schedule
- `calendar`: working days, Vietnam's time zone, the reminder hour
- `drafting`: the checks on a draft and its dossier (names, scope, partners, languages)
- `labels`: the one (Vietnamese, English) table of the shared vocabulary

Nothing here imports a framework, a database or a broker: the Temporal workflow sandbox, the
activities, the API, the web pages, notifications and reports all import it.
"""
