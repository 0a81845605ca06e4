from kaikukanta.testing import EVERYONE, PageExample

EXAMPLES = {
    "public:home": PageExample(allowed=EVERYONE),
    "public:venues": PageExample(allowed=EVERYONE),
    "public:venue_detail": PageExample(allowed=EVERYONE, kwargs=lambda network: {"venue_id": network.venue.pk}),
    "public:my_card": PageExample(allowed=EVERYONE),
    "public:brochure": PageExample(allowed=EVERYONE, kwargs=lambda network: {"area_id": network.area.pk}),
    "public:accessibility": PageExample(allowed=EVERYONE),
    "public:privacy": PageExample(allowed=EVERYONE),
}
