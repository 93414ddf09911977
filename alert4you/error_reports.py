"""Error reports that carry no child data.

Django e-mails a report of every server error to ADMINS, with the request's POST
data and the local variables of every frame. In a care-record system those hold
children's names, dates of birth and concern texts, and mail is not the place for
them. Outside DEBUG this filter keeps the names of POST parameters and variables
(enough to find the bug) and replaces every value.
"""

from django.views.debug import SafeExceptionReporterFilter


class ChildDataHidingReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
