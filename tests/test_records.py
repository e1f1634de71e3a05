"""The records passed between stages: plain, immutable values, and picklable for workers."""

import inspect
import pickle
import typing
from datetime import date

import pytest

from policycheck import Rule, Violation
from policycheck.config import Config, from_mapping
from policycheck.findings import Finding, Waiver
from policycheck.policy import Policy
from policycheck.records import Record


def test_a_violation_is_an_immutable_value():
    violation = Violation("/partner", "name the partner", hint="see the starter")
    assert violation == Violation(path="/partner", message="name the partner", hint="see the starter")
    assert violation != violation._replace(level="warn")
    with pytest.raises(AttributeError):
        violation.message = "changed"  # type: ignore[misc]


def test_a_waived_finding_is_a_new_finding():
    finding = Finding("REL001", "fail", "m", "a.yaml")
    waiver = Waiver("REL001", "accepted for the pilot", "J. Smith, ODC", "2027-12-31")
    waived = finding.waived_by(waiver)
    assert (waived.level, waived.waiver) == ("waived", waiver)
    assert (finding.level, finding.waiver) == ("fail", None)


def test_the_policy_crosses_to_a_worker_process_unchanged():
    for config in (Config(), from_mapping({"rules": {"MSR001": {"level": "warn"}}, "exclude": ["drafts"]})):
        policy = Policy(config=config, today=date(2027, 1, 1), plugin_modules=("my_plugin",))
        assert pickle.loads(pickle.dumps(policy)) == policy


def test_a_rule_checks_its_declaration_and_keeps_its_parameters_read_only():
    def check(activity, ctx):
        return []

    made = Rule("ODC001", "t", "governance", "warn", "r", "s", check=check, parameters={"limit": 3})
    assert made.parameters == {"limit": 3}
    with pytest.raises(TypeError):
        made.parameters["limit"] = 4  # type: ignore[index]
    with pytest.raises(ValueError, match="2-5 capitals and 3 digits"):
        Rule("odc1", "t", "governance", "warn", "r", "s", check=check)
    with pytest.raises(ValueError, match="needs a check"):
        Rule("ODC002", "t", "governance", "warn", "r", "s")


class _Sample(Record):
    """A record as the pipeline declares one."""

    name: str
    count: int = 0
    note: str | None = None

    def described(self) -> str:
        return f"{self.name}: {self.count}"


def test_a_record_is_a_named_tuple_with_its_defaults_docstring_methods_and_annotations():
    sample = _Sample("a")
    assert sample == ("a", 0, None) and isinstance(sample, tuple)
    assert (_Sample._fields, _Sample._field_defaults) == (("name", "count", "note"), {"count": 0, "note": None})
    assert sample._replace(count=2).described() == "a: 2"
    assert _Sample.__doc__ == "A record as the pipeline declares one."
    assert (_Sample.__module__, _Sample.__qualname__) == (__name__, "_Sample")
    assert typing.get_type_hints(_Sample) == {"name": str, "count": int, "note": str | None}
    assert str(inspect.signature(_Sample)) == "(name: str, count: int = 0, note: str | None = None)"
    assert pickle.loads(pickle.dumps(sample)) == sample
    with pytest.raises(AttributeError):
        sample.name = "b"  # type: ignore[misc]


def test_a_record_field_without_a_default_cannot_follow_one_with_a_default():
    with pytest.raises(TypeError, match="without a default follows one with a default"):

        class Broken(Record):
            first: int = 0
            second: int


def test_the_public_records_are_made_without_typing():
    # typing.NamedTuple compiled every field's annotation as the class was made: ~13 ms of a cold start
    assert type(Finding) is type and Finding.__annotations__["rule_id"] == "str"
    assert Violation.__annotations__["message"] == "str"
