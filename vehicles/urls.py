from django.urls import path

from vehicles import views

app_name = "vehicles"

urlpatterns = [
    path("me/cars/", views.my_cars, name="my-cars"),
    path("cars/models/<int:model_id>/picture/", views.car_picture, name="car-picture"),
    path("me/cars/<int:vehicle_id>/mileage/", views.update_mileage, name="mileage"),
    path("me/cars/<int:vehicle_id>/insurance/", views.add_insurance_policy, name="add-policy"),
    path("me/cars/<int:vehicle_id>/inspections/", views.add_inspection, name="add-inspection"),
    path("me/cars/<int:vehicle_id>/violations/", views.violations, name="violations"),
    path("me/car-services/", views.car_services, name="car-services"),
]
