"""Benchmark of the inbox and the conversation page: 10,000 conversations, 1,000,000 messages.

    BOZOR_VAR_DIR=var/bench .venv/bin/python -m classifieds.bench.messaging

Prepares the database when it is empty (migrate, load_catalog, ``seed_demo --listings``), then
generates ``--conversations`` conversations and ``--messages`` messages in a few statements
(``INSERT … SELECT`` over ``generate_series``/``unnest``): buyers ``msgbench-*``; one busy seller
holds ``--busy`` of the conversations (a shop answering all day), the rest spread over the demo
sellers; ``--heavy`` conversations share 5 % of the messages (thousands each), the others ~95 each. Then it
requests, through the whole Django stack (middleware, context processors with the header count,
view, template) with the test client, signed in:

- the busy seller's inbox, first page and a deep page; a typical buyer's inbox;
- a typical conversation (~95 messages; the page shows the latest 50) and a heavy one (thousands);
- the polling endpoint with nothing new (the 204 every open conversation asks for every 5 s).

Reports p50/p95/p99 in ms and SQL queries per request, then deletes what it created
(``--keep`` leaves it for another run).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
PREFIX = "msgbench-"


def pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _prepare(listings: int) -> None:
    from django.core.management import call_command

    from classifieds.listings.models import Listing
    from classifieds.taxonomy.models import Category

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not Category.objects.exists():
        call_command("load_catalog", verbosity=0, stdout=io.StringIO())
    existing = Listing.objects.active().count()
    if existing < listings:
        print(f"seeding {listings - existing} listings…", file=sys.stderr)
        call_command("seed_demo", listings=listings - existing, seed=1, no_progress=True, stdout=sys.stderr)


def _generate(conversations: int, messages: int, buyers: int, busy: int, heavy: int) -> dict:
    """Rows in bulk; returns the ids the requests use."""
    from django.db import connection, transaction

    from classifieds.accounts.models import User
    from classifieds.listings.models import Listing

    started = time.monotonic()
    with transaction.atomic():
        User.objects.bulk_create(
            [User(username=f"{PREFIX}{n}", display_name=f"Покупатель {n}", phone_verified=True) for n in range(buyers)],
            batch_size=2000,
        )
        buyer_ids = list(User.objects.filter(username__startswith=PREFIX).order_by("id").values_list("id", flat=True))
        listings = list(Listing.objects.active().order_by("id").values_list("id", "owner_id")[:conversations])
        busy_seller = listings[0][1]
        busy_listings = list(
            Listing.objects.active().filter(owner_id=busy_seller).order_by("id").values_list("id", flat=True)
        )
        pairs = []
        # The busy seller: their listings, each asked about by many buyers.
        for n in range(busy):
            pairs.append((busy_listings[n % len(busy_listings)], busy_seller, buyer_ids[n % len(buyer_ids)]))
        seen = {(listing, buyer) for listing, _seller, buyer in pairs}
        n = 0
        while len(pairs) < conversations:
            listing, seller = listings[n % len(listings)]
            buyer = buyer_ids[(n * 7919) % len(buyer_ids)]
            n += 1
            if seller in (busy_seller, buyer) or (listing, buyer) in seen:
                continue
            seen.add((listing, buyer))
            pairs.append((listing, seller, buyer))
        listing_col, seller_col, buyer_col = (list(col) for col in zip(*pairs, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO messaging_conversation
                    (listing_id, seller_id, buyer_id, created_at, last_message_at, last_message_preview,
                     buyer_unread, seller_unread)
                SELECT l, s, b, now() - interval '30 days', now(), '', 0, 0
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS t(l, s, b)
                RETURNING id
                """,
                [listing_col, seller_col, buyer_col],
            )
            conversation_ids = [row[0] for row in cursor.fetchall()]
            heavy_ids = conversation_ids[busy : busy + heavy]
            heavy_each = messages // 20 // max(heavy, 1)  # the heavy ones: 5 % of all messages
            rest = (messages - heavy_each * len(heavy_ids)) // (len(conversation_ids) - len(heavy_ids))
            extra = messages - heavy_each * len(heavy_ids) - rest * (len(conversation_ids) - len(heavy_ids))
            cursor.execute(
                """
                INSERT INTO messaging_message (conversation_id, sender_id, body, photo, risky, created_at)
                SELECT c.id,
                       CASE WHEN g %% 2 = 1 THEN c.buyer_id ELSE c.seller_id END,
                       CASE WHEN g %% 2 = 1 THEN 'Здравствуйте! Ещё продаётся? Можно посмотреть сегодня вечером? #' || g
                            ELSE 'Да, продаётся. Приезжайте после шести, адрес скину. #' || g END,
                       '', false,
                       c.created_at + g * interval '20 seconds'
                FROM messaging_conversation c
                JOIN LATERAL generate_series(
                    1, CASE WHEN c.id = ANY(%s) THEN %s ELSE %s END + CASE WHEN c.id = %s THEN %s ELSE 0 END
                ) AS g ON true
                WHERE c.id = ANY(%s)
                """,
                [heavy_ids, heavy_each, rest, conversation_ids[-1], extra, conversation_ids],
            )
            cursor.execute("ANALYZE messaging_conversation; ANALYZE messaging_message")
            cursor.execute(
                """
                UPDATE messaging_conversation c SET
                    last_message_at = m.last_at, last_message_preview = left(m.body, 140),
                    first_reply_at = c.created_at + interval '40 seconds',
                    seller_unread = CASE WHEN m.sender_id = c.buyer_id THEN 1 ELSE 0 END,
                    buyer_unread = CASE WHEN m.sender_id = c.seller_id THEN 1 ELSE 0 END,
                    buyer_last_read_at = m.last_at - interval '1 minute',
                    seller_last_read_at = m.last_at - interval '1 minute'
                FROM (
                    -- the last message of each conversation: one backward step on (conversation_id, id) each
                    SELECT c2.id AS conversation_id, last.created_at AS last_at, last.body, last.sender_id
                    FROM messaging_conversation c2
                    CROSS JOIN LATERAL (
                        SELECT created_at, body, sender_id FROM messaging_message
                        WHERE conversation_id = c2.id ORDER BY id DESC LIMIT 1
                    ) last
                    WHERE c2.id = ANY(%s)
                ) m
                WHERE m.conversation_id = c.id
                """,
                [conversation_ids],
            )
            cursor.execute("ANALYZE messaging_conversation; ANALYZE messaging_message")
            cursor.execute("SELECT count(*) FROM messaging_message WHERE conversation_id = ANY(%s)", [conversation_ids])
            total = cursor.fetchone()[0]
    # The steady state of a live database: autovacuum would otherwise start on the million rows just
    # written (and those the last run deleted) in the middle of the first page's measurements.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) messaging_conversation, messaging_message, accounts_user")
    print(
        f"generated {len(conversation_ids)} conversations, {total} messages in {time.monotonic() - started:.0f}s",
        file=sys.stderr,
    )
    typical_buyer = pairs[-1][2]
    return {
        "busy_seller": busy_seller,
        "typical_buyer": typical_buyer,
        "typical_conversation": conversation_ids[-2],
        "heavy_conversation": heavy_ids[0] if heavy_ids else conversation_ids[0],
        "conversations": len(conversation_ids),
        "messages": total,
        "heavy_each": heavy_each,
        "rest_each": rest,
    }


def _cleanup() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM messaging_message WHERE conversation_id IN (
                SELECT c.id FROM messaging_conversation c JOIN accounts_user u ON u.id = c.buyer_id
                WHERE u.username LIKE %s)
            """,
            [f"{PREFIX}%"],
        )
        cursor.execute(
            "DELETE FROM messaging_conversation WHERE buyer_id IN (SELECT id FROM accounts_user WHERE username LIKE %s)",
            [f"{PREFIX}%"],
        )
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE %s", [f"{PREFIX}%"])


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.test import override_settings

    _prepare(args.listings)
    _cleanup()
    ids = _generate(args.conversations, args.messages, args.buyers, args.busy, args.heavy)
    # Static files by name, as the search benchmark (no collectstatic manifest needed).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages):
            rows = _measure(args, ids)
    finally:
        if not args.keep:
            _cleanup()
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{ids['conversations']} conversations, {ids['messages']} messages; runs per page: {args.runs}; load {load}\n"
    )
    print("| page | status | SQL queries | SQL ms (in PostgreSQL) | p50 ms | p95 ms | p99 ms | Python CPU p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, _url, status, queries, p50, p95, p99, cpu95, sql_ms in rows:
        print(f"| {label} | {status} | {queries} | {sql_ms:.1f} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {cpu95:.1f} |")


def _sql_time(statements: list[str]) -> float:
    """What PostgreSQL itself spends on a request's statements (planning + execution), free of CPU queueing."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            total += plan.get("Planning Time", 0) + plan.get("Execution Time", 0)
    return total


def _measure(args: argparse.Namespace, ids: dict) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from classifieds.accounts.models import User
    from classifieds.messaging.models import Conversation, Message

    typical = Conversation.objects.get(pk=ids["typical_conversation"])
    heavy = Conversation.objects.get(pk=ids["heavy_conversation"])
    last_typical = Message.objects.filter(conversation=typical).order_by("-id").values_list("id", flat=True)[0]
    # The receipt state the open page would carry: the poll URL that answers 204.
    seller_client = Client()
    seller_client.force_login(User.objects.get(pk=typical.seller_id))
    poll = f"/messages/{typical.pk}/new/?after={last_typical}"
    read = next((r for r in ("0", "1") if seller_client.get(f"{poll}&read={r}").status_code == 204), "1")
    cases = [
        ("busy seller's inbox, page 1", ids["busy_seller"], "/messages/"),
        ("busy seller's inbox, page 25 (the deepest)", ids["busy_seller"], "/messages/?page=25"),
        ("typical buyer's inbox", ids["typical_buyer"], "/messages/"),
        ("conversation, ~100 messages", typical.seller_id, f"/messages/{typical.pk}/"),
        ("conversation, heavy", heavy.seller_id, f"/messages/{heavy.pk}/"),
        ("poll, nothing new (204)", typical.seller_id, f"{poll}&read={read}"),
    ]
    clients: dict[int, Client] = {}
    for _label, user_id, _url in cases:
        if user_id not in clients:
            clients[user_id] = Client()
            clients[user_id].force_login(User.objects.get(pk=user_id))
    rows = []
    for label, user_id, url in cases:
        client = clients[user_id]
        for _ in range(args.warmup):
            response = client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        status, queries = response.status_code, len(captured)
        assert status in (200, 204), (url, status)
        sql_ms = _sql_time([query["sql"] for query in captured.captured_queries])
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        rows.append(
            (label, url, status, queries, pct(times, 0.5), pct(times, 0.95), pct(times, 0.99), pct(cpu, 0.95), sql_ms)
        )
        print(f"{label}: p95 {pct(times, 0.95):.1f} ms", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=12000, help="active listings to have (seed_demo adds)")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--buyers", type=int, default=3000)
    parser.add_argument("--busy", type=int, default=2000, help="conversations of the one busy seller")
    parser.add_argument("--heavy", type=int, default=10, help="conversations holding 5 %% of the messages")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the generated rows")
    args = parser.parse_args(argv)
    import django

    django.setup()
    run(args)


if __name__ == "__main__":
    main()
