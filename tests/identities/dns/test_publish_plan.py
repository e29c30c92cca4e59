"""The publish planner: records SES expects vs record sets present -> items -> one batch."""

from __future__ import annotations

from identities.dns.expected import DomainSpec, expected_records
from identities.dns.publish_plan import (
    CREATE_ITEM,
    MERGE_ITEM,
    REMOVE_ITEM,
    REPLACE_ITEM,
    Wanted,
    changes_for,
    names_to_read,
    plan,
    txt_text,
    txt_value,
    wanted_records,
)
from regions.dns_types import CREATE, DELETE, UPSERT, RecordChange, RecordSet

ZONE = "example.com"
DKIM = [
    Wanted("dkim", f"t{i}._domainkey.example.com", "CNAME", f"t{i}.dkim.amazonses.com", ("r",))
    for i in (1, 2, 3)
]
TOKEN = Wanted("verification", "_amazonses.example.com", "TXT", "tokNEW+/=", ("eu-west-1",))
SPF = Wanted("mail_from_spf", "mail.example.com", "TXT", "v=spf1 include:amazonses.com ~all", ())
MX = Wanted(
    "mail_from_mx", "mail.example.com", "MX", "10 feedback-smtp.eu-west-1.amazonses.com", ()
)
DMARC = Wanted("dmarc", "_dmarc.example.com", "TXT", "v=DMARC1; p=none;", ())


def rs(name: str, rtype: str, *values: str, ttl: int = 300) -> RecordSet:
    return RecordSet(name, rtype, ttl, values)


def apply_all(wanted, present):
    return changes_for(plan(wanted, present, ZONE), present)


def ticked(wanted, present):
    return changes_for([i for i in plan(wanted, present, ZONE) if i.ticked], present)


def test_missing_dkim_cnames_are_three_ticked_creates() -> None:
    items = plan(DKIM, [], ZONE)
    assert [(i.kind, i.name, i.ticked) for i in items] == [
        (CREATE_ITEM, f"t{i}._domainkey.example.com", True) for i in (1, 2, 3)
    ]
    assert changes_for(items, []) == [
        RecordChange(
            CREATE,
            rs(f"t{i}._domainkey.example.com", "CNAME", f"t{i}.dkim.amazonses.com", ttl=1800),
        )
        for i in (1, 2, 3)
    ]


def test_everything_right_plans_nothing_so_reapplying_changes_nothing() -> None:
    present = [
        *(rs(w.name, "CNAME", w.value + ".") for w in DKIM),  # a final dot is the same name
        rs(TOKEN.name, "TXT", '"other-region"', txt_value(TOKEN.value)),
        rs("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com"),
        rs(
            "mail.example.com", "TXT", '"v=spf1 include:_spf.google.com include:amazonses.com ~all"'
        ),
        rs("_dmarc.example.com", "TXT", '"v=DMARC1; p=reject"'),
    ]
    assert plan([*DKIM, TOKEN, SPF, MX, DMARC], present, ZONE) == []
    assert changes_for([], present) == []


def test_cname_comparison_ignores_case_and_final_dot() -> None:
    present = [rs(DKIM[0].name, "CNAME", "T1.DKIM.AMAZONSES.COM.")]
    assert plan(DKIM[:1], present, ZONE) == []


def test_amazonses_token_is_merged_beside_other_regions_and_accounts_tokens() -> None:
    present = [rs(TOKEN.name, "TXT", '"tokUS"', '"tokSTAGING"', ttl=600)]
    items = plan([TOKEN], present, ZONE)
    assert [(i.kind, i.ticked) for i in items] == [(MERGE_ITEM, True)]
    assert changes_for(items, present) == [
        RecordChange(
            UPSERT, rs(TOKEN.name, "TXT", '"tokUS"', '"tokSTAGING"', '"tokNEW+/="', ttl=600)
        )
    ]


def test_two_regions_tokens_merged_in_one_upsert() -> None:
    other = Wanted("verification", TOKEN.name, "TXT", "tokAP", ("ap-southeast-2",))
    present = [rs(TOKEN.name, "TXT", '"tokUS"')]
    changes = apply_all([TOKEN, other], present)
    assert len(changes) == 1 and changes[0].action == UPSERT
    assert set(changes[0].record_set.values) == {'"tokUS"', '"tokNEW+/="', '"tokAP"'}


def test_txt_pasted_with_quotes_is_an_unticked_removal_beside_the_ticked_addition() -> None:
    pasted = '"\\"tokNEW+/=\\""'
    assert txt_text(pasted) == '"tokNEW+/="'
    present = [rs(TOKEN.name, "TXT", pasted, '"tokUS"')]
    items = plan([TOKEN], present, ZONE)
    assert [(i.kind, i.ticked) for i in items] == [(MERGE_ITEM, True), (REMOVE_ITEM, False)]
    assert "quotes" in items[1].reason
    # Ticked by default: the right value is added and the pasted one stays.
    assert changes_for([items[0]], present) == [
        RecordChange(UPSERT, rs(TOKEN.name, "TXT", pasted, '"tokUS"', '"tokNEW+/="'))
    ]
    # Both ticked: the pasted one goes, the other region's token stays.
    assert changes_for(items, present) == [
        RecordChange(UPSERT, rs(TOKEN.name, "TXT", '"tokUS"', '"tokNEW+/="'))
    ]


def test_doubled_zone_name_is_an_unticked_removal_of_that_record_set_only() -> None:
    doubled = rs("t1._domainkey.example.com.example.com", "CNAME", "t1.dkim.amazonses.com")
    items = plan(DKIM[:1], [doubled], ZONE)
    assert [(i.kind, i.ticked) for i in items] == [(CREATE_ITEM, True), (REMOVE_ITEM, False)]
    assert "appended twice" in items[1].reason
    assert changes_for(items, [doubled]) == [
        RecordChange(DELETE, doubled),  # deletions first, exactly as present
        RecordChange(
            CREATE, rs("t1._domainkey.example.com", "CNAME", "t1.dkim.amazonses.com", ttl=1800)
        ),
    ]
    assert names_to_read(DKIM[:1], ZONE) == {
        "t1._domainkey.example.com",
        "t1._domainkey.example.com.example.com",
    }


def test_cname_to_the_wrong_target_is_an_unticked_replacement() -> None:
    present = [rs(DKIM[0].name, "CNAME", "t1.dkim.eu-west-3.amazonses.com")]
    (item,) = plan(DKIM[:1], present, ZONE)
    assert (item.kind, item.ticked) == (REPLACE_ITEM, False)
    assert changes_for([item], present) == [
        RecordChange(UPSERT, rs(DKIM[0].name, "CNAME", "t1.dkim.amazonses.com"))
    ]


def test_txt_where_a_cname_belongs_is_removed_and_replaced_in_one_item() -> None:
    present = [rs(DKIM[0].name, "TXT", '"t1.dkim.amazonses.com"', ttl=60)]
    (item,) = plan(DKIM[:1], present, ZONE)
    assert (item.kind, item.ticked) == (REPLACE_ITEM, False)
    assert changes_for([item], present) == [
        RecordChange(DELETE, present[0]),
        RecordChange(CREATE, rs(DKIM[0].name, "CNAME", "t1.dkim.amazonses.com", ttl=1800)),
    ]


def test_spf_shared_with_other_senders_gains_amazonses_and_keeps_them() -> None:
    present = [rs("mail.example.com", "TXT", '"v=spf1 include:_spf.google.com ~all"', '"x=1"')]
    (item,) = plan([SPF], present, ZONE)
    assert (item.kind, item.ticked) == (MERGE_ITEM, True)
    (change,) = changes_for([item], present)
    assert change.action == UPSERT
    assert change.record_set.values == (
        '"x=1"',
        '"v=spf1 include:amazonses.com include:_spf.google.com ~all"',
    )


def test_spf_added_beside_unrelated_txt_values() -> None:
    present = [rs("mail.example.com", "TXT", '"google-site-verification=abc"')]
    (change,) = apply_all([SPF], present)
    assert change.record_set.values == (
        '"google-site-verification=abc"',
        '"v=spf1 include:amazonses.com ~all"',
    )


def test_mx_naming_another_ses_region_is_right() -> None:
    present = [rs("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com.")]
    assert plan([MX], present, ZONE) == []


def test_mx_to_own_mail_servers_is_an_unticked_replacement() -> None:
    present = [rs("mail.example.com", "MX", "10 mx1.example.com", "20 mx2.example.com")]
    (item,) = plan([MX], present, ZONE)
    assert (item.kind, item.ticked) == (REPLACE_ITEM, False)
    assert changes_for([item], present) == [RecordChange(UPSERT, rs(MX.name, "MX", MX.value))]


def test_dmarc_is_offered_unticked_and_never_when_one_exists() -> None:
    (item,) = plan([DMARC], [], ZONE)
    assert (item.kind, item.ticked) == (CREATE_ITEM, False)
    assert plan([DMARC], [rs(DMARC.name, "TXT", '"v=DMARC1; p=quarantine"')], ZONE) == []


def test_records_outside_the_zone_are_not_planned() -> None:
    assert plan(DKIM, [], "other.example") == []
    assert names_to_read(DKIM, "other.example") == set()


def test_item_keys_are_stable_across_plans_and_distinct() -> None:
    first = [i.key for i in plan([*DKIM, TOKEN], [], ZONE)]
    assert first == [i.key for i in plan([*DKIM, TOKEN], [], ZONE)]
    assert len(set(first)) == 4


def test_unticked_items_change_nothing() -> None:
    assert changes_for([], [rs(TOKEN.name, "TXT", '"tokUS"')]) == []


def test_long_txt_values_are_split_into_255_character_strings() -> None:
    text = "p=" + "A" * 400
    value = txt_value(text)
    assert value.count('" "') == 1 and txt_text(value) == text
    assert (
        txt_value('say "hi"') == '"say \\"hi\\""' and txt_text(txt_value('say "hi"')) == 'say "hi"'
    )


def test_wanted_records_merge_regions_and_keep_one_mail_from_mx() -> None:
    us = expected_records(
        DomainSpec("example.com", "us-east-1", ["a1", "a2"], "AWS_SES", "", "mail.example.com")
    )
    eu = expected_records(
        DomainSpec(
            "example.com", "eu-west-1", ["a1", "a2"], "AWS_SES_US_EAST_1", "", "mail.example.com"
        )
    )
    byo = expected_records(DomainSpec("example.com", "ap-south-1", ["sel"], "EXTERNAL"))
    wanted = wanted_records([("us-east-1", us), ("eu-west-1", eu), ("ap-south-1", byo)])
    by_name = {(w.name, w.rtype): w for w in wanted}
    assert by_name[("a1._domainkey.example.com", "CNAME")].regions == ("eu-west-1", "us-east-1")
    assert [w for w in wanted if w.rtype == "MX"] == [
        Wanted(
            "mail_from_mx",
            "mail.example.com",
            "MX",
            "10 feedback-smtp.eu-west-1.amazonses.com",
            ("eu-west-1", "us-east-1"),
        )
    ]
    assert not any(w.purpose == "byodkim" for w in wanted)  # sesops never has the key
