"""After a refused action the user goes back where he came from — but never off the site."""

from django.test import RequestFactory

from jiuzhu.common.views import back_url


def test_back_url_stays_on_the_site():
    rf = RequestFactory()
    own = rf.post("/intake/r/1/refuse/", {"next": "/intake/r/1/"})
    assert back_url(own, "intake:inbox") == "/intake/r/1/"
    evil = rf.post(
        "/intake/r/1/refuse/", {"next": "https://evil.example/phish"}, HTTP_REFERER="//evil.example/"
    )
    assert back_url(evil, "intake:inbox") == "/intake/inbox/"
    referred = rf.post("/x/", HTTP_REFERER="http://testserver/decisions/")
    assert back_url(referred, "/") == "http://testserver/decisions/"


def test_guarded_pages_refuse_with_a_message_and_say_what_is_missing(staff):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404, HttpResponse

    from jiuzhu.common.errors import NotFound, PermissionDenied
    from jiuzhu.common.views import guarded

    class Missing(Exception):
        pass

    @guarded(missing=(Missing,), not_found="没有该学校")
    def page(request, what):
        if what == "refused":
            raise PermissionDenied("您的角色不能打开此页面。", code="role_not_allowed")
        if what == "unknown":
            raise NotFound("申请 X1 不存在", field="code")
        if what == "missing":
            raise Missing
        return HttpResponse("ok")

    rf = RequestFactory()
    request = rf.get("/p/")
    request.user = staff("window_clerk")
    assert page(request, "shown").content == b"ok"
    refused = page(request, "refused")
    assert refused.status_code == 403 and "您的角色不能打开此页面。" in refused.content.decode()
    for what, message in (("unknown", "申请 X1 不存在"), ("missing", "没有该学校")):
        try:
            page(request, what)
        except Http404 as exc:
            assert str(exc) == message
        else:
            raise AssertionError(f"{what}: no 404")
    request.user = AnonymousUser()
    assert page(request, "shown").status_code == 302  # to the log-in page
