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
