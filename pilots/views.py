from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from . import imports, selectors
from .forms import ImportForm


@login_required
def import_upload(request):
    organisations = selectors.organisations_administered_by(request.user).order_by("name")
    if not organisations.exists():
        raise Http404
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in imports.KINDS else {}
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ImportForm(data, files, organisations=organisations, initial=initial)
    result = None
    if form.is_valid():
        result = imports.import_csv(
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            dry_run=form.cleaned_data["dry_run"],
        )
        if result.ok:
            messages.success(request, result.summary())
            return redirect(f"{reverse('pilots:import')}?kind={result.kind}")
    context = {"form": form, "result": result, "kinds": imports.KINDS.values()}
    return render(request, "pilots/import_upload.html", context)
