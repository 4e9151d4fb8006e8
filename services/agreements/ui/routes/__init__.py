"""The pages under /ui and their forms, one module per concept. Each handler translates the
form into a use case's input, calls the same use case as the JSON API with the signed-in
person, and renders; every access check and rule is the API's own, and a refusal comes back
as a message on the page."""

from __future__ import annotations

from fastapi import APIRouter

from services.agreements.ui.routes import (
    agreements,
    auth,
    documents,
    imports,
    inbox,
    ops,
    procedure,
    reports,
)

router = APIRouter()
# Each part is under /ui already. The agreements' routes keep /agreements/new before
# /agreements/{agreement_id}.
for part in (auth, agreements, documents, procedure, inbox, ops, imports, reports):
    router.include_router(part.router)
