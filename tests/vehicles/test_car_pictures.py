"""Catalog pictures: the uploaded one, else a drawn illustration; never a script that runs."""

import pytest
from django.core.files.base import ContentFile

from tests.vehicles.factories import TrimFactory
from vehicles.pictures import draw_car, ensure_drawn_picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def car_model(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return TrimFactory().car_model


def test_a_model_without_a_picture_gets_a_drawing_of_its_body_type(client, car_model):
    response = client.get(f"/cars/models/{car_model.pk}/picture/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.decode() == draw_car(body_type=car_model.body_type, colour_index=car_model.pk)
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_demo_stores_the_drawing_once_and_serves_it(client, car_model):
    ensure_drawn_picture(car_model)
    name = car_model.picture.name
    ensure_drawn_picture(car_model)
    assert car_model.picture.name == name
    response = client.get(f"/cars/models/{car_model.pk}/picture/")
    assert b"".join(response.streaming_content).startswith(b"<svg")


def test_an_uploaded_picture_is_served_as_an_image_that_runs_nothing(client, car_model):
    car_model.picture.save("x.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>"))
    response = client.get(f"/cars/models/{car_model.pk}/picture/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_models_off_sale_have_no_picture_page(client, car_model):
    car_model.is_active = False
    car_model.save()
    assert client.get(f"/cars/models/{car_model.pk}/picture/").status_code == 404
    assert client.get("/cars/models/999999/picture/").status_code == 404


def test_the_catalog_shows_pictures_not_letters(client, car_model):
    page = client.get("/cars/").content.decode()
    assert f'src="/cars/models/{car_model.pk}/picture/"' in page
