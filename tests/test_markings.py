"""policycheck.markings: the banner and the REL TO order are only ever printed in valid CAPCO form."""

import pytest

from policycheck.markings import banner, rel_to_order, rel_to_problem
from policycheck.reference import Reference

REFERENCE = Reference()


def marked(classification="CUI", dissemination=("REL TO",), rel_to=("USA", "ALB")):
    releasability = {"classification": classification, "dissemination": list(dissemination)}
    if rel_to is not None:
        releasability["rel_to"] = list(rel_to)
    return {"releasability": releasability}


@pytest.mark.parametrize(
    "document, expected",
    [
        (marked(), "CUI//REL TO USA, ALB"),
        (marked(rel_to=("ALB",)), "CUI//REL TO USA, ALB"),
        (marked(rel_to=("NATO", "GBR", "USA", "ALB", "FVEY")), "CUI//REL TO USA, ALB, GBR, FVEY, NATO"),
        (marked(dissemination=("REL TO", "ORCON")), "CUI//ORCON/REL TO USA, ALB"),
        (marked(dissemination=("PROPIN", "ORCON")), "CUI//ORCON/PROPIN"),
        # NOFORN and REL TO conflict: the banner carries the more restrictive NOFORN
        (marked("SECRET", ("NOFORN", "REL TO"), ("USA", "AUS")), "SECRET//NOFORN"),
        (marked("SECRET", ("REL TO", "PROPIN", "NOFORN")), "SECRET//NOFORN/PROPIN"),
        (marked("UNCLASSIFIED", (), None), "UNCLASSIFIED"),
        (marked("TOP SECRET", ("REL TO",), ("USA", "XKS")), "TOP SECRET//REL TO USA, XKS"),
    ],
)
def test_banner_is_written_in_valid_form(document, expected):
    assert banner(document, REFERENCE) == expected


@pytest.mark.parametrize(
    "document",
    [
        marked(rel_to=None),
        marked(rel_to=()),
        marked(rel_to=("USA", "alb")),
        marked(rel_to=("USA", "Poland")),
        marked(rel_to=("USA", 7)),
        marked(dissemination=("REL TO", "FOUO")),
        marked("SECRET//NOFORN", ()),
        {"releasability": "SECRET"},
        {"releasability": {"classification": 3}},
        None,
        [],
    ],
)
def test_no_banner_when_it_cannot_be_written_validly(document):
    assert banner(document, REFERENCE) is None


def test_unknown_codes_give_no_banner_only_when_the_reference_data_says_so():
    document = marked(rel_to=("USA", "GER"))
    assert banner(document) == "CUI//REL TO USA, GER"  # well formed: without reference data it cannot tell
    assert banner(document, REFERENCE) is None


@pytest.mark.parametrize(
    "codes, expected",
    [
        (["ALB", "USA"], ["USA", "ALB"]),
        (["ALB"], ["USA", "ALB"]),
        (["NATO", "FVEY", "POL", "DEU"], ["USA", "DEU", "POL", "FVEY", "NATO"]),
        (["USA", "USA", "ALB"], ["USA", "ALB"]),
        ([], ["USA"]),
    ],
)
def test_rel_to_order(codes, expected):
    assert rel_to_order(codes) == expected


def test_a_known_tetragraph_sorts_with_the_tetragraphs_whatever_its_length():
    assert rel_to_order(["ZZZ", "EU", "ALB"], tetragraphs={"EU"}) == ["USA", "ALB", "ZZZ", "EU"]


@pytest.mark.parametrize(
    "codes, problem",
    [
        (["USA", "ALB"], None),
        (["USA", "ALB", "NATO"], None),
        (["ALB"], "USA is missing; a REL TO list always begins with USA"),
        (["ALB", "USA"], "USA comes first"),
        (["USA", "NATO", "ALB"], "trigraph ALB comes before tetragraph NATO"),
        (["USA", "GBR", "ALB"], "trigraphs go in alphabetical order: ALB before GBR"),
        (["USA", "NATO", "FVEY"], "tetragraphs go in alphabetical order: FVEY before NATO"),
    ],
)
def test_rel_to_problem(codes, problem):
    assert rel_to_problem(codes) == problem
