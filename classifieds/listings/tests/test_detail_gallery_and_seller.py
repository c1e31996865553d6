"""The listing page: every photo reachable large without JavaScript, and the seller's name links to their page."""

from __future__ import annotations

import re

import pytest

from classifieds.analytics.tests.helpers import BROWSER

from .factories import ListingFactory, ListingPhotoFactory

pytestmark = pytest.mark.django_db


def main_photo_alt(html: str) -> str:
    figure = re.search(r'<figure class="photo-main" data-gallery-main>(.*?)</figure>', html, re.S).group(1)
    return re.search(r'alt="([^"]*)"', figure).group(1)


@pytest.fixture
def listing():
    listing = ListingFactory(title="Диван угловой")
    for _ in range(3):
        ListingPhotoFactory(listing=listing)
    return listing


class TestGalleryWithoutJavaScript:
    def test_each_thumbnail_links_to_the_page_showing_that_photo_large(self, client, listing):
        html = client.get(listing.get_absolute_url()).content.decode()
        assert main_photo_alt(html) == "Диван угловой, фото 1"
        links = re.findall(r'<a href="\?photo=(\d)#gallery" data-gallery-to="\d" data-gallery-thumb', html)
        assert links == ["1", "2", "3"]
        second = client.get(listing.get_absolute_url(), {"photo": "2"}).content.decode()
        assert main_photo_alt(second) == "Диван угловой, фото 2"
        assert 'data-gallery-to="2" data-gallery-thumb aria-current="true"' in second
        assert "Фото 2 из 3" in second
        assert "3 tadan 2-surat" in client.get(f"/uz{listing.get_absolute_url()}", {"photo": "2"}).content.decode()

    def test_the_arrows_wrap_around(self, client, listing):
        html = client.get(listing.get_absolute_url(), {"photo": "3"}).content.decode()
        assert 'href="?photo=2#gallery" data-gallery-to="2" rel="prev"' in html
        assert 'href="?photo=1#gallery" data-gallery-to="1" rel="next"' in html

    @pytest.mark.parametrize("photo", ["0", "4", "abc", "-1", "99999999999999999999", ""])
    def test_a_photo_number_out_of_range_shows_the_first(self, client, listing, photo):
        response = client.get(listing.get_absolute_url(), {"photo": photo})
        assert response.status_code == 200
        assert main_photo_alt(response.content.decode()) == "Диван угловой, фото 1"

    def test_every_photo_has_alt_text_and_the_large_one_opens_in_full_size(self, client, listing):
        html = client.get(listing.get_absolute_url()).content.decode()
        assert 'alt=""' not in html.split('id="gallery"')[1].split("</template>")[0]
        assert f'href="{listing.photos.first().image.url}"' in html

    def test_browsing_photos_is_not_counted_as_more_views(self, client, listing):
        client.get(listing.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        client.get(listing.get_absolute_url(), {"photo": "2"}, HTTP_USER_AGENT=BROWSER)
        listing.refresh_from_db()
        assert listing.views_count == 1

    def test_one_photo_needs_no_thumbnails_or_arrows(self, client):
        single = ListingFactory()
        ListingPhotoFactory(listing=single)
        html = client.get(single.get_absolute_url()).content.decode()
        assert "photo-thumbs" not in html and 'rel="next"' not in html


class TestSeller:
    def test_the_sellers_name_links_to_their_public_page(self, client, listing):
        html = client.get(listing.get_absolute_url()).content.decode()
        owner = listing.owner
        assert f'<p class="seller-name"><a href="/u/{owner.pk}/">{owner.display_name}</a></p>' in html
        assert client.get(f"/u/{owner.pk}/").status_code == 200

    def test_in_uzbek_it_links_to_the_uzbek_page(self, client, listing):
        html = client.get(f"/uz{listing.get_absolute_url()}").content.decode()
        assert f'<a href="/uz/u/{listing.owner.pk}/">' in html
