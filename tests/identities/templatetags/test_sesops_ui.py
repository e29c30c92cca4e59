"""The pages' shared vocabulary: badges and names that break after "@" and dots."""

from __future__ import annotations

from django.template import Context, Template

from identities.templatetags.sesops_ui import BADGE_TONES, breakable_html


def test_a_name_breaks_after_at_and_dots_and_nowhere_else():
    html = breakable_html("new-hire@gmail.example")
    assert html == (
        '<span class="name-part">new-hire@</span><wbr>'
        '<span class="name-part">gmail.</span><wbr>'
        '<span class="name-part">example</span>'
    )


def test_a_name_is_escaped():
    assert "<script>" not in breakable_html("<script>@x.y")
    assert "&lt;script&gt;@" in breakable_html("<script>@x.y")


def test_every_tone_has_one_class_and_icon_and_the_badge_carries_its_word():
    assert len({icon for _, icon in BADGE_TONES.values()}) == len(BADGE_TONES)
    html = Template('{% load sesops_ui %}{% badge "warn" "Sandbox" title="200 a day" %}').render(
        Context()
    )
    assert html == (
        '<span class="badge badge-warn" title="200 a day">'
        '<span class="icon" aria-hidden="true">!</span>Sandbox</span>'
    )
