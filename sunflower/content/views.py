"""Knowledge pages: the portal's knowledge home, categories, items and search (any signed-in
person: content is T0), and the programme admin's console (list, edit, publish)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role, User
from sunflower.content import actions, search
from sunflower.content.forms import ItemFilterForm, ItemForm, SearchForm
from sunflower.content.models import Category, Item, ItemKind, ItemStatus
from sunflower.lib.markdown import render_markdown
from sunflower.training.media import stream_file

PAGE_SIZE = 10
CONSOLE_PAGE_SIZE = 25
RELAXATION_TAG = "音乐放松"


def _is_editor(user: User) -> bool:
    return user.has_role(Role.PROGRAMME_ADMIN)


def _published() -> Any:
    return Item.objects.filter(status=ItemStatus.PUBLISHED).select_related("category")


def _visible_item(request: HttpRequest, item_id: int) -> Item:
    """A published item, or any item for an editor (to check it before publishing)."""
    item = get_object_or_404(Item.objects.select_related("category"), pk=item_id)
    if not item.is_published and not _is_editor(current_user(request)):
        raise Http404
    return item


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _ordered(ids: list[int], queryset: Any) -> list[Item]:
    found = {item.pk: item for item in queryset.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


# Portal --------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.annotate(
        count=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED))
    ).filter(count__gt=0)
    return render(
        request,
        "content/home.html",
        {
            "tab": "learn",
            "form": SearchForm(),
            "categories": categories,
            "latest": _published().filter(kind=ItemKind.ARTICLE)[:6],
            "relaxation": _published().filter(kind=ItemKind.AUDIO)[:4],
            "videos": _published().filter(kind=ItemKind.VIDEO)[:4],
        },
    )


@login_required
@require_GET
def category(request: HttpRequest, category_id: int) -> HttpResponse:
    chosen = get_object_or_404(Category, pk=category_id)
    page = Paginator(_published().filter(category=chosen), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "content/category.html", {"tab": "learn", "category": chosen, "page": page}
    )


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    return render(request, "content/search.html", {"tab": "learn", **_search(request, True)})


def _search(request: HttpRequest, published_only: bool) -> dict[str, Any]:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context: dict[str, Any] = {"form": form, "query": query, "page": None, "error": ""}
    if not query:
        return context
    try:
        terms = search.check_query(query)
    except search.QueryError as error:
        context["error"] = str(error)
        return context
    ids = search.search_ids(terms, published_only=published_only)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    items = _ordered(list(page.object_list), Item.objects.select_related("category"))
    context.update(
        searched=True,
        page=page,
        hits=search.hits(items, query),
        total=len(ids),
        query_string=_query_string(request),
    )
    return context


@login_required
@require_GET
def item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _visible_item(request, item_id)
    if item.is_published:
        actions.count_read(item)
    related = (
        _published().filter(category=item.category).exclude(pk=item.pk)[:3]
        if item.category_id
        else []
    )
    return render(
        request,
        "content/item.html",
        {
            "tab": "learn",
            "item": item,
            "body": render_markdown(item.body),
            "tags": list(item.tags.all()),
            "related": related,
        },
    )


@login_required
@require_GET
def cover(request: HttpRequest, item_id: int) -> HttpResponseBase:
    item = _visible_item(request, item_id)
    if not item.cover:
        raise Http404
    return stream_file(request, item.cover.storage, item.cover.name or "", item.cover_type)


@login_required
@require_GET
def media(request: HttpRequest, item_id: int) -> HttpResponseBase:
    item = _visible_item(request, item_id)
    if not item.media:
        raise Http404
    return stream_file(request, item.media.storage, item.media.name or "", item.media_type)


# Console -------------------------------------------------------------------------------


@role_required(Role.PROGRAMME_ADMIN)
@require_GET
def console_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None)
    rows = Item.objects.select_related("category").order_by("-updated_at", "-pk")
    error, ranked = "", None
    if form.is_valid():
        data = form.cleaned_data
        if data["category"]:
            rows = rows.filter(category=data["category"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if query := data["q"].strip():
            try:
                ranked = search.search_ids(search.check_query(query), published_only=False)
            except search.QueryError as exc:
                error = str(exc)
                rows = rows.none()
    page: Any
    if ranked is not None:
        keep = set(rows.filter(pk__in=ranked).values_list("pk", flat=True))
        page = Paginator([pk for pk in ranked if pk in keep], CONSOLE_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = _ordered(list(page.object_list), rows)
    else:
        page = Paginator(rows, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/console_list.html",
        {
            "form": form,
            "page": page,
            "error": error,
            "query_string": _query_string(request),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def console_edit(request: HttpRequest, item_id: int | None = None) -> HttpResponse:
    actor = current_user(request)
    item = get_object_or_404(Item, pk=item_id) if item_id is not None else None
    initial = {"kind": request.GET.get("kind")} if item is None else None
    form = ItemForm(request.POST or None, request.FILES or None, instance=item, initial=initial)
    preview = None
    if request.method == "POST" and request.POST.get("action") == "preview":
        preview = render_markdown(request.POST.get("body", ""))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "category": data["category"],
        }
        if item is None:
            fields["kind"] = data["kind"]
        saved = actions.do_save_item(
            actor,
            item,
            fields=fields,
            tags=actions.tags_from_text(data["tag_names"]),
            cover=(data["cover_upload"], form.cover_type) if data["cover_upload"] else None,
            media=(data["media_upload"], form.media_type) if data["media_upload"] else None,
            request=request,
        )
        messages.success(request, _("已保存。") if saved.is_published else _("已保存为草稿。"))
        return redirect("content-admin:edit", item_id=saved.pk)
    return render(
        request, "content/console_edit.html", {"form": form, "item": item, "preview": preview}
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def console_publish(request: HttpRequest, item_id: int) -> HttpResponse:
    get_object_or_404(Item, pk=item_id)
    actions.do_set_published(current_user(request), item_id, True, request)
    messages.success(request, _("已发布，干部现在可以看到并搜索到这条内容。"))
    return redirect("content-admin:edit", item_id=item_id)


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def console_unpublish(request: HttpRequest, item_id: int) -> HttpResponse:
    get_object_or_404(Item, pk=item_id)
    actions.do_set_published(current_user(request), item_id, False, request)
    messages.success(request, _("已撤回发布，干部不再能看到这条内容。"))
    return redirect("content-admin:edit", item_id=item_id)


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def console_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    get_object_or_404(Item, pk=item_id)
    actions.do_delete_item(current_user(request), item_id, request)
    messages.success(request, _("已删除。"))
    return redirect("content-admin:list")
