"""The inbox, a conversation (sent in place and polled with htmx), writing to a seller, block and report."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from classifieds.accounts.decorators import login_required
from classifieds.core.htmx import render_page
from classifieds.core.pagination import page_links, paginate
from classifieds.imaging.processing import ImageRejected
from classifieds.listings.models import Listing

from . import services
from .forms import QUICK_REPLIES, MessageForm, ReportForm
from .models import Block, Conversation, Message

DRAFTS_SESSION_KEY = "message_drafts"
INBOX_PER_PAGE = 20
# A long conversation opens on its latest messages; older ones are a link away.
MESSAGES_PER_PAGE = 50
POLL_EVENT = "messages-poll"


def _load_conversation(request: HttpRequest, pk: int) -> Conversation:
    """The conversation if ``request.user`` is one of its parties (and the other is not banned); else 404."""
    return get_object_or_404(
        Conversation.objects.visible_to(request.user).select_related("listing", "buyer", "seller"), pk=pk
    )


def _receipt_read(conversation: Conversation, user) -> bool:
    """The other party has read ``user``'s last message."""
    other_read = (
        conversation.seller_last_read_at if user.pk == conversation.buyer_id else conversation.buyer_last_read_at
    )
    last_own = Message.objects.filter(conversation=conversation, sender=user).order_by("-id").first()
    return bool(last_own and other_read and other_read >= last_own.created_at)


def _conversation_context(request: HttpRequest, conversation: Conversation, form: MessageForm | None = None) -> dict:
    user = request.user
    other = conversation.other(user)
    before = request.GET.get("before", "")
    rows = Message.objects.filter(conversation=conversation).order_by("-id")
    if before.isdigit():
        rows = rows.filter(id__lt=int(before))
    latest = list(rows[: MESSAGES_PER_PAGE + 1])
    older = len(latest) > MESSAGES_PER_PAGE
    shown = list(reversed(latest[:MESSAGES_PER_PAGE]))
    blocks = set(
        Block.objects.filter(Q(blocker=user, blocked=other) | Q(blocker=other, blocked=user)).values_list(
            "blocker_id", flat=True
        )
    )
    blocked_by_me, blocked_me = user.pk in blocks, other.pk in blocks
    newest_id = (
        shown[-1].pk
        if shown and not before
        else Message.objects.filter(conversation=conversation).order_by("-id").values_list("id", flat=True).first() or 0
    )
    return {
        "conversation": conversation,
        "me_id": user.pk,
        "listing": conversation.listing,
        "other": other,
        "role": "buyer" if user.pk == conversation.buyer_id else "seller",
        "chat_messages": shown,
        "older_before": shown[0].pk if older and shown else None,
        "after": newest_id,
        "receipt_read": _receipt_read(conversation, user),
        "blocked_by_me": blocked_by_me,
        "blocked_me": blocked_me,
        "can_write": conversation.is_open and not blocked_by_me and not blocked_me and not services.is_banned(user),
        "form": form or MessageForm(),
        "quick_replies": QUICK_REPLIES["buyer" if user.pk == conversation.buyer_id else "seller"],
        "poll_seconds": settings.MESSAGING_POLL_SECONDS,
    }


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in user's conversations, newest first, with unread counts and each listing's photo and price.

    The header's unread count comes from the inbox's own count (one statement for both), and
    each row's listing is the lean card (title, price, cover) rather than the whole listing.
    """
    conversations_of_user = Conversation.objects.inbox(request.user)
    page = paginate(request, conversations_of_user, per_page=INBOX_PER_PAGE)
    conversations = list(page.object_list)
    cards = Listing.objects.cards_in_bulk(list({c.listing_id for c in conversations}))
    rows = [
        {
            "conversation": c,
            "listing": cards[c.listing_id],
            "other": c.other(request.user),
            "unread": c.unread_for(request.user),
        }
        for c in conversations
        if c.listing_id in cards  # not a listing deleted (with its conversations) since the page was read
    ]
    context = {
        "page": page,
        "rows": rows,
        "page_links": page_links(request.path, request.GET, page),
        # Overrides the context processor's lazy count: the same number, already read with the page's count.
        "unread_messages": conversations_of_user.unread,
    }
    return TemplateResponse(request, "messaging/inbox.html", context)


def _send_failed(request: HttpRequest, context: dict, status: int) -> HttpResponse:
    return render_page(
        request, "messaging/conversation.html", context, fragments={"composer": "composer"}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One conversation: its messages and the composer; a POST sends (in place with htmx) and comes back here."""
    conversation = _load_conversation(request, pk)
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_send(
                    conversation=conversation,
                    sender=request.user,
                    body=form.cleaned_data["body"],
                    photo=form.cleaned_data.get("photo"),
                )
            except services.MessagingError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                form.add_error(None, exc.message)
                return _send_failed(request, _conversation_context(request, conversation, form), exc.status)
            except ImageRejected as exc:
                form.add_error("photo", exc.reason)
                return _send_failed(request, _conversation_context(request, conversation, form), 400)
            if request.htmx:
                # An empty composer back; the list asks for what is new (this message) at once.
                response = render_page(
                    request,
                    "messaging/conversation.html",
                    _conversation_context(request, conversation),
                    fragments={"composer": "composer"},
                )
                return trigger_client_event(response, POLL_EVENT)
            return redirect(f"{conversation.get_absolute_url()}#composer")
        return _send_failed(request, _conversation_context(request, conversation, form), 400)
    services.conversation_mark_read(conversation=conversation, user=request.user)
    return render_page(request, "messaging/conversation.html", _conversation_context(request, conversation))


@require_GET
@login_required
def conversation_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """Messages after ``?after=<id>`` (and the read receipt when ``?read=`` changed); 204 when nothing is new."""
    conversation = _load_conversation(request, pk)
    after, read = request.GET.get("after", ""), request.GET.get("read", "0")
    if not after.isdigit() or read not in ("0", "1"):
        return HttpResponseBadRequest("after=<message id>&read=0|1")
    new = list(Message.objects.filter(conversation=conversation, id__gt=int(after)).order_by("id")[:MESSAGES_PER_PAGE])
    if new:
        services.conversation_mark_read(conversation=conversation, user=request.user)
    receipt_read = _receipt_read(conversation, request.user)
    if not new and receipt_read == (read == "1"):
        return HttpResponse(status=204)
    context = _conversation_context(request, conversation)
    context.update({"chat_messages": new, "after": new[-1].pk if new else int(after), "receipt_read": receipt_read})
    return TemplateResponse(request, "messaging/conversation.html#poll-answer", context)


@require_http_methods(["GET", "POST"])
@login_required
def conversation_write(request: HttpRequest, listing_pk: int) -> HttpResponse:
    """Write to the seller of a listing: the composer (with a draft kept over sign-in) and its POST.

    A signed-out visitor's POST keeps the text in the session and goes to sign in; the
    sign-in comes back here (GET) with the draft in the composer.
    """
    listing = get_object_or_404(Listing.objects.public().select_related("owner"), pk=listing_pk)
    existing = Conversation.objects.filter(listing=listing, buyer=request.user).first()
    drafts = request.session.get(DRAFTS_SESSION_KEY, {})
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                conversation = services.conversation_start(
                    listing=listing,
                    buyer=request.user,
                    body=form.cleaned_data["body"],
                    photo=form.cleaned_data.get("photo"),
                )
            except services.MessagingError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            except ImageRejected as exc:
                form.add_error("photo", exc.reason)
                status = 400
            else:
                if str(listing.pk) in drafts:
                    drafts.pop(str(listing.pk))
                    request.session[DRAFTS_SESSION_KEY] = drafts
                messages.success(request, _("Message sent."))
                return redirect(f"{conversation.get_absolute_url()}#composer")
        else:
            status = 400
    else:
        if listing.owner_id == request.user.pk:
            return redirect(listing.get_absolute_url())
        if existing is not None and str(listing.pk) not in drafts:
            return redirect(existing.get_absolute_url())
        form = MessageForm(initial={"body": drafts.get(str(listing.pk), "")})
        status = 200
    context = {
        "listing": listing,
        "form": form,
        "existing": existing,
        "quick_replies": QUICK_REPLIES["buyer"],
    }
    return TemplateResponse(request, "messaging/write.html", context, status=status)


@require_POST
def conversation_write_signed_out(request: HttpRequest, listing_pk: int) -> HttpResponse:
    """The listing page's composer: signed in, it sends; signed out, the text waits in the session over sign-in."""
    if request.user.is_authenticated:
        return conversation_write(request, listing_pk)
    listing = get_object_or_404(Listing.objects.public(), pk=listing_pk)
    body = request.POST.get("body", "").strip()[:2000] or request.POST.get("quick", "").strip()[:200]
    drafts = request.session.get(DRAFTS_SESSION_KEY, {})
    drafts[str(listing.pk)] = body
    request.session[DRAFTS_SESSION_KEY] = dict(list(drafts.items())[-10:])  # a few, never unbounded
    back = reverse("messaging:write", kwargs={"listing_pk": listing.pk})
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={back}")


@require_POST
@login_required
def conversation_block(request: HttpRequest, pk: int) -> HttpResponse:
    """Block (or, with ``unblock``, unblock) the other party of a conversation."""
    conversation = _load_conversation(request, pk)
    other = conversation.other(request.user)
    if request.POST.get("action") == "unblock":
        services.user_unblock(blocker=request.user, blocked=other)
        messages.success(request, _("%(name)s is unblocked.") % {"name": other.public_name})
    else:
        services.user_block(blocker=request.user, blocked=other)
        messages.success(
            request, _("%(name)s is blocked: they can no longer write to you.") % {"name": other.public_name}
        )
    return redirect(conversation.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def conversation_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a conversation to the moderators, with a reason."""
    conversation = _load_conversation(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.conversation_report(
            conversation=conversation,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you: the moderators will look at this conversation."))
        return redirect(conversation.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "messaging/report.html", {"conversation": conversation, "form": form}, status=status
    )


@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The header's messages link alone, for its periodic refresh (nothing for a signed-out visitor)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return TemplateResponse(request, "components/header.html#messages-link", {})
