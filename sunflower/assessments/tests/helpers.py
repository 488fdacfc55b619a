from __future__ import annotations

from collections.abc import Sequence

from sunflower.accounts.models import User
from sunflower.assessments import actions
from sunflower.assessments.models import Response


def take(user: User, instrument_id: str, answers: Sequence[int | None]) -> Response:
    """Start, answer every item and submit, as the pages would."""
    draft = actions.do_start(user, instrument_id)
    return actions.do_submit(user, draft.pk, actions.new_token(), dict(enumerate(answers)))


PHQ9_CRITICAL = [1, 1, 1, 1, 0, 0, 0, 0, 1]  # total 5 (mild), item 9 endorsed
PHQ9_MODERATE = [2, 2, 1, 1, 1, 1, 1, 1, 0]  # total 10
