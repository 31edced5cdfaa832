"""Effects after a commit: best effort, logged, and healed later if they fail."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def after_commit(session: Session, what: str, effect: Callable[[], object]) -> bool:
    """Run ``effect`` (which may write through ``session``) and commit it; False if it failed.

    The work it follows is already committed, so a failure here must not turn the request
    into an error: the answer stays true, and reconcile or the start-up steps finish it.
    """
    try:
        effect()
        session.commit()
    except (OSError, SQLAlchemyError):
        session.rollback()
        log.warning("Could not %s now; reconcile will finish it", what, exc_info=True)
        return False
    return True
