"""Small instrument files for the instruments tests, written out so line numbers are exact."""

from __future__ import annotations

import textwrap

import pytest

from pathmark.instruments.definition import Instrument, parse_instrument

# A valid instrument with one of each thing the tests need; line numbers matter to the tests.
MINIMAL = textwrap.dedent(
    """\
    slug: tiny
    version: 1
    title: {en: Tiny}
    source: Pathmark tests
    licence: CC0
    stages:
      - {id: low, label: {en: Low}, min: 0, max: 50}
      - {id: high, label: {en: High}, min: 50, max: 100}
    domains:
      - id: money
        title: {en: Money}
        minimum_answers: 2
        items:
          - id: bills
            type: likert
            text: {en: I can pay my bills.}
            options:
              - {value: "no", label: {en: No}, score: 0}
              - {value: some, label: {en: Sometimes}, score: 50}
              - {value: "yes", label: {en: Yes}, score: 100}
              - {value: skip, label: {en: Prefer not to say}, score: null}
          - id: worry
            type: likert
            reverse: true
            weight: 3
            text: {en: I worry about money.}
            options:
              - {value: never, label: {en: Never}, score: 0}
              - {value: often, label: {en: Often}, score: 100}
          - id: notes
            type: free_text
            text: {en: "Anything else?"}
      - id: home
        title: {en: Home}
        weight: 3
        items:
          - id: rooms
            type: number
            text: {en: "How many rooms?"}
            min: 0
            max: 4
          - id: safe
            type: yes_no
            text: {en: "Do you feel safe?"}
          - id: help
            type: multiple_choice
            text: {en: "Who helps you?"}
            options:
              - {value: family, label: {en: Family}, score: 100}
              - {value: friends, label: {en: Friends}, score: 50}
              - {value: nobody, label: {en: Nobody}, score: 0}
              - {value: rather-not, label: {en: Rather not say}, score: null}
    """
)


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL


@pytest.fixture
def minimal() -> Instrument:
    return parse_instrument(MINIMAL, source="tiny.yaml")
