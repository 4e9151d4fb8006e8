"""Whom an event's payload names: its agreement, province, consulted body, the receiver of a
copy or notice. Payload models (common/events/payloads.py) carry them in fields of these names;
these protocols let the rules read them as typed attributes, and tell which payloads have them."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class OfAgreement(Protocol):
    @property
    def agreement_id(self) -> str: ...


@runtime_checkable
class OfProvince(Protocol):
    @property
    def province(self) -> str: ...


@runtime_checkable
class OfBody(Protocol):
    """A consultation's events and a return name the consulted body."""

    @property
    def body(self) -> str: ...


@runtime_checkable
class OfRecipient(Protocol):
    """The duties after signing name who receives the copy or notice."""

    @property
    def recipient(self) -> str: ...
