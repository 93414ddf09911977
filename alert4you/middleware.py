"""Response headers that keep care data out of caches."""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInUsersMiddleware:
    """Tell browsers and proxies never to store a page served to a signed-in user.

    Nearly every page behind the login names a child (cases, consents, visit
    agendas, reminders), and staff share tablets: a page kept in the browser's
    cache or history could be read by the next user after logout. Marking every
    signed-in response, rather than a list of paths, cannot miss a new page.
    Pages for anonymous visitors (login, health check) keep their own headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before the view runs: a logout view replaces request.user.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in:
            # no-store, no-cache, must-revalidate, private, max-age=0 and Expires;
            # Pragma for HTTP/1.0 caches that know no Cache-Control.
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response
