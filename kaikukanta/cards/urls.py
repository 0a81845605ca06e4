from django.urls import path

from . import views

app_name = "cards"
urlpatterns = [
    path("issue/", views.issue, name="issue"),
    path("list/", views.card_list, name="list"),
    path("next-number/", views.next_number, name="next_number"),
    path("postal-code/", views.postal_code, name="postal_code"),
    path("batches/<int:batch_id>/sheet.pdf", views.batch_sheet, name="batch_sheet"),
    # Fixed paths come first: a card number is any other path segment.
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/renew/", views.renew, name="renew"),
    path("<str:number>/close/", views.close, name="close"),
    path("<str:number>/replace/", views.replace, name="replace"),
    path("<str:number>/insert.pdf", views.insert_pdf, name="insert_pdf"),
]
