"""Public URLs of the trivia site. Every pattern is named; templates and models reverse them."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, sitemaps, views
from .api import guide
from .freshness import read_only

app_name = "trivia"

urlpatterns = [
    path("", views.home, name="home"),
    path("films/<slug:slug>/", views.film_detail, name="film_detail"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("facts/", views.fact_list, name="fact_list"),
    path("facts/<slug:key>/", views.fact_detail, name="fact_detail"),
    # Atom feeds of newly published facts (trivia/feeds.py).
    path("feed.atom", feeds.facts_feed, name="facts_feed"),
    path("films/<slug:slug>/feed.atom", feeds.film_feed, name="film_feed"),
    path("people/<slug:slug>/feed.atom", feeds.person_feed, name="person_feed"),
    path("topics/<slug:slug>/feed.atom", feeds.topic_feed, name="topic_feed"),
    # The open-data API's guide for people; the API itself is /api/v1/ (trivia/api/urls.py).
    path("api/", guide.api_guide, name="api_guide"),
    path("sitemap.xml", read_only(sitemaps.sitemap_index), name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        read_only(sitemap_views.sitemap),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", read_only(sitemaps.robots_txt), name="robots_txt"),
]
