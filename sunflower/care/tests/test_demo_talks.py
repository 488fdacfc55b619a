"""The demo city's talks: the demo talk officer's cadres, key attention with a few overdue, and
every row readable by the people who should read it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.care import attention
from sunflower.care.access_talks import access_attention_list, access_my_cadres
from sunflower.care.models_talks import AttentionStatus, KeyAttention, Talk, Visit


@pytest.mark.django_db
class TalkDemoTestCase:
    def test_it_gives_the_talk_officer_cadres_talks_and_a_few_overdue(self) -> None:
        out = StringIO()
        call_command("demo", "--cadres", "600", "--seed", "11", stdout=out)
        assert "谈心谈话 talks:" in out.getvalue()
        talker = User.objects.get(username="talker")
        rows = access_my_cadres(talker)
        assert len(rows) >= 20
        assert 0 < sum(row.overdue for row in rows) < len(rows) // 2
        assert any(row.key_attention for row in rows)
        assert KeyAttention.objects.filter(status=AttentionStatus.EXITED).exists()
        assert Talk.objects.count() > 50
        assert Visit.objects.exists()
        keeper = User.objects.get(username="keeper")
        overdue = access_attention_list(keeper, overdue=True).paginator.count
        assert 0 < overdue < KeyAttention.objects.filter(status=AttentionStatus.ACTIVE).count()
        assert attention.send_overdue_reminders(timezone.now()) >= overdue
        talk = Talk.objects.filter(officer=talker, status="done").first()
        assert talk is not None and talk.get_details().notes
