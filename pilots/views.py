from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def import_upload(request):
    raise Http404
