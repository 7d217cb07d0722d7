"""How search engines find the public pages: `sitemap.xml` and `robots.txt`.

`/sitemap.xml` is a sitemap *index*: it names one sitemap per kind of page (films,
people, topics, sources, facts), each cut into pages of `SITEMAP_PAGE_SIZE` URLs
(`/sitemap-facts.xml?p=2`). At 100,000 facts that is 20 small documents rather than one
huge one, and no request ever loads more than one page of rows. Every URL is built
from `settings.SITE_URL`, the same public address as the pages' canonical links.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse

from .models import Fact, Film, Person, Source, Topic

# Well under the protocol's 50,000: a page of the facts sitemap is a few hundred KB.
SITEMAP_PAGE_SIZE = 5000


class OnPublicAddress:
    """URLs on `settings.SITE_URL`, whatever Host header the crawler sent."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PublicSitemap(OnPublicAddress, Sitemap):
    """A sitemap over a queryset of timestamped rows (`items()`), with a cheap latest `lastmod`."""

    limit = SITEMAP_PAGE_SIZE

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default calls `lastmod()` on every item; one aggregate instead.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class FilmSitemap(PublicSitemap):
    def items(self):
        return Film.objects.order_by("pk").only("slug", "updated_at")


class PersonSitemap(PublicSitemap):
    def items(self):
        return Person.objects.order_by("pk").only("slug", "updated_at")


class TopicSitemap(PublicSitemap):
    def items(self):
        return Topic.objects.order_by("pk").only("slug", "updated_at")


class SourceSitemap(PublicSitemap):
    def items(self):
        # The text is not needed for a URL; a source can be megabytes long.
        return Source.objects.order_by("pk").only("slug", "updated_at")


class FactSitemap(PublicSitemap):
    """Permalinks of published facts only: drafts are 404 to crawlers."""

    def items(self):
        return Fact.objects.published().order_by("pk").only("key", "updated_at")


class HomeSitemap(OnPublicAddress, Sitemap):
    def items(self):
        return ["trivia:home"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "home": HomeSitemap,
    "films": FilmSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
    "sources": SourceSitemap,
    "facts": FactSitemap,
}


@x_robots_tag
def sitemap_index(request):
    """The index of section sitemaps and their pages, on the public address.

    Django's own index view names the sections on the request's host; ours uses
    `SITE_URL` so the index agrees with the sitemaps and canonical links it points to.
    Queries: two per section (latest change, count), however many facts there are.
    """
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("trivia:sitemap_section", kwargs={"section": section})
        latest = sitemap.get_latest_lastmod() if isinstance(sitemap, PublicSitemap) else None
        entries.append(SitemapIndexItem(location, latest))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{location}?p={page}", latest))
    return render(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": settings.SITE_URL + reverse("trivia:sitemap")},
        content_type="text/plain; charset=utf-8",
    )
