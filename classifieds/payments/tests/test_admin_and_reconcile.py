from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.tests.factories import make_order
from classifieds.payments.models import Payment
from classifieds.payments.services import payment_create, payment_perform
from classifieds.promotions.models import Promotion

pytestmark = pytest.mark.django_db


def paid_order(provider: str = "payme", txn: str = "tx-1") -> Order:
    order = make_order(listing=ListingFactory(), provider=provider)
    payment = payment_create(
        order=order, provider=provider, txn_id=txn, amount=order.amount, payload={"method": "CreateTransaction"}
    )
    payment_perform(payment=payment)
    order.refresh_from_db()
    return order


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


class TestAdmin:
    def test_a_payment_shows_the_full_provider_payload(self, staff_client):
        payment = Payment.objects.get(order=paid_order())
        response = staff_client.get(f"/admin/payments/payment/{payment.pk}/change/")
        assert response.status_code == 200
        assert "CreateTransaction" in response.content.decode()

    def test_staff_refund_ends_the_promotion(self, staff_client):
        order = paid_order()
        response = staff_client.post(
            "/admin/orders/order/", {"action": "cancel_or_refund", "_selected_action": [order.pk]}
        )
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.state == Order.State.REFUNDED
        assert Promotion.objects.get().state == Promotion.State.CANCELLED

    def test_the_price_table_is_editable(self, staff_client):
        assert staff_client.get("/admin/promotions/promotionprice/").status_code == 200


class TestReconcile:
    def test_it_is_quiet_when_orders_and_payments_agree(self, capsys):
        paid_order()
        call_command("payments_reconcile")
        assert "agree" in capsys.readouterr().out

    def test_it_lists_an_order_refunded_here_but_paid_at_the_provider(self, capsys):
        from classifieds.orders.services import order_cancel

        order = paid_order()
        order_cancel(order=order, reason="staff")
        with pytest.raises(CommandError):
            call_command("payments_reconcile")
        assert f"order #{order.pk}" in capsys.readouterr().out

    def test_it_lists_disagreements_with_the_provider_statement(self, tmp_path, capsys):
        order = paid_order(txn="tx-1")
        statement = tmp_path / "statement.json"
        statement.write_text(
            json.dumps(
                {
                    "result": {
                        "transactions": [
                            {"id": "tx-1", "amount": order.amount, "state": -2},
                            {"id": "tx-unknown", "amount": 100, "state": 2},
                        ]
                    }
                }
            )
        )
        with pytest.raises(CommandError):
            call_command("payments_reconcile", "--statement", str(statement))
        out = capsys.readouterr().out
        assert "state -2 there, 2 here" in out
        assert "tx-unknown" in out
