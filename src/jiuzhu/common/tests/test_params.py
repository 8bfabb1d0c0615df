from datetime import date

import pytest

from jiuzhu.common.params import parameter
from jiuzhu.policy.parameters import ParameterNotInForce, UnknownParameter
from jiuzhu.policy.selectors import current_policy


def test_reads_the_value_in_force_from_the_policy_file(db):
    policy = current_policy()
    assert parameter(policy, "notice.days", date(2025, 6, 1)) == 7
    assert parameter(policy, "dibao.time_limits", date(2025, 6, 1), step="total") == 30


def test_a_parameter_the_file_lacks_is_refused_not_defaulted(db):
    with pytest.raises(UnknownParameter):
        parameter(current_policy(), "notice.no_such_thing", date(2025, 6, 1))


def test_a_date_before_the_first_value_is_refused(db):
    with pytest.raises(ParameterNotInForce):
        parameter(current_policy(), "notice.days", date(2000, 1, 1))
