"""The users `bench/load.py` sends at a Pathmark server (run by it; not on its own).

`SignedIn` users each carry a session `load.py` signed in through the real sign-in page
beforehand (signing in is not what is measured), and ask for one page again and again (PATHMARK_LOAD_PAGE: `person`, `journey` or `cohort`), each time for a different person
of the caseload; `Anonymous` users ask for the sign-in page, the cheapest page the server has,
measured in the same run as the figure the others are compared with.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PAGE = os.environ.get("PATHMARK_LOAD_PAGE", "person")
PERSON_IDS: list[int] = json.loads(os.environ.get("PATHMARK_LOAD_PEOPLE", "[]"))
SESSIONS = itertools.cycle(json.loads(os.environ.get("PATHMARK_LOAD_SESSIONS", "[{}]")))


class SignedIn(HttpUser):
    # A caseworker reads a page, then acts on it: a second or so between pages.
    wait_time = between(0.5, 1.5)
    fixed_count = int(os.environ.get("PATHMARK_LOAD_USERS", "20"))

    def on_start(self) -> None:
        self.client.cookies.update(next(SESSIONS))

    @task
    def read(self) -> None:
        if PAGE == "cohort":
            self.client.get("/journeys/cohort/", name="cohort")
            return
        person = random.choice(PERSON_IDS)  # noqa: S311 - picking pages, not secrets
        path = f"/people/{person}/" if PAGE == "person" else f"/journeys/person/{person}/"
        with self.client.get(path, name=PAGE, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class Anonymous(HttpUser):
    wait_time = between(0.5, 1.5)
    fixed_count = int(os.environ.get("PATHMARK_LOAD_ANONYMOUS", "4"))

    @task
    def sign_in_page(self) -> None:
        self.client.get("/accounts/login/", name="login")
