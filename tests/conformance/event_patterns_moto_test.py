#!/usr/bin/env python3
"""tests/conformance/event_patterns.json evaluated by moto's EventBridge pattern matcher
(moto.events.models.EventPattern, imported directly: no server).

Passes when moto decides every case as the file expects, except the cases marked
`moto_differs`, where moto must decide the other way (a stale note fails the test, so the list
of moto differences stays exact), and when moto's parser rejects exactly the invalid patterns not
marked `moto_accepts`. At least one difference must show: the cases discriminate.
Tributary's own matcher runs the same file in src/pipe/event_pattern_test.cc.
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "event_patterns.json")

from moto.events.models import EventPattern  # noqa: E402


def load():
    with open(CASES) as f:
        return json.load(f)


class MotoEventPatternTest(unittest.TestCase):
    def test_match_cases(self):
        data = load()
        wrong, stale, differs = [], [], 0
        for case in data["cases"]:
            event = case.get("event")
            if "event_ref" in case:
                event = data["events"][case["event_ref"]]
            got = EventPattern.load(json.dumps(case["pattern"])).matches_event(event)
            expected = case["match"]
            if "moto_differs" in case:
                differs += 1
                if got == expected:
                    stale.append(case["name"])
            elif got != expected:
                wrong.append(f"{case['name']}: moto says {got}, AWS {expected}")
        self.assertEqual(wrong, [], "moto differs on cases not marked moto_differs")
        self.assertEqual(stale, [], "moto now agrees on cases marked moto_differs: drop the note")
        self.assertGreater(differs, 0)

    def test_invalid_patterns(self):
        data = load()
        wrong = []
        for case in data["invalid"]:
            text = case.get("pattern_text")
            if text is None:
                text = json.dumps(case["pattern"])
            try:
                EventPattern.load(text)
                accepted = True
            except Exception:  # moto raises InvalidEventPatternException (or a JSON error)
                accepted = False
            if accepted != case["moto_accepts"]:
                wrong.append(f"{case['name']}: moto accepts={accepted}")
        self.assertEqual(wrong, [])


if __name__ == "__main__":
    sys.exit(unittest.main())
