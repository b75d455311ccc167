"""``{% result_list cl %}`` with the rows of ``qualipref.admin_rows``, for ``templates/admin/change_list.html``."""

from django import template
from django.contrib.admin.templatetags.admin_list import ResultList, result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils.safestring import SafeString

from ..admin_rows import results

register = template.Library()


def result_list(cl):
    """Django's ``result_list`` context, the rows made by ``qualipref.admin_rows``."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": [joined(row) for row in results(cl)],
    }


def joined(row):
    """A row's cells as one piece of HTML, the same the template would write cell by cell (its loop over a row's
    cells then runs once, not once per cell: a thousand template steps less on a page of 100 rows). A row of an
    editable list keeps its cells: the template counts them for its error line."""
    if row.form is not None:
        return row
    return ResultList(None, [SafeString("".join(row))])


@register.tag(name="result_list")
def result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html", takes_context=False
    )
