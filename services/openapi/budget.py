"""OpenAPI of /budget: settings, categories, the ledger and the forecast."""
from services import budget
from services.openapi.shapes import (DATA, DATE, LIST, MONEY, NUMBER, STRING, Op, array, model, obj, or_null, query_of,
                                     ref)
from utils.validation import json_schema_of

SCHEMAS = {
    "BudgetCategory": model(budget.STORED_CATEGORY_SCHEMA, required=("name", "budgeted", "spent", "remaining"),
                            stamps=(), spent=MONEY, remaining=MONEY, percentUsed=NUMBER),
    "BudgetEntry": model(budget.STORED_ENTRY_SCHEMA, required=("id", "date", "amount", "category"), stamps=()),
    "Forecast": obj(asOf=DATE, total=MONEY, spent=MONEY, remaining=MONEY, burnRatePerDay=MONEY,
                    depletionDate=or_null(DATE), projectedTotal=MONEY, overBudget=MONEY,
                    riskFactors=array(STRING),
                    categories=array(obj(name=STRING, budgeted=MONEY, spent=MONEY, projected=MONEY,
                                         status={"type": "string", "enum": ["ok", "at_risk", "over"]}))),
    "Budget": obj(currency=STRING, startDate=or_null(DATE), endDate=or_null(DATE), total=MONEY, spent=MONEY,
                  remaining=MONEY, categories=array(ref("BudgetCategory")), history=array(ref("BudgetEntry")),
                  forecast=ref("Forecast")),
}
OPERATIONS = {
    "budget.overview": Op("The whole budget: settings, totals, categories, ledger and today's forecast",
                          data=ref("Budget")),
    "budget.update_settings": Op("Update the currency and production dates; answers the whole budget",
                                 data=ref("Budget"), body=budget.SETTINGS_INPUT, partial=True, if_match=True),
    "budget.list_categories": Op("List budget categories (spent, remaining, percentUsed derived)", LIST,
                                 ref("BudgetCategory"), listing=budget.CATEGORY_LISTING),
    "budget.put_category": Op("Update or rename a category; a name not yet present creates it (201)",
                              data=ref("BudgetCategory"), created=ref("BudgetCategory"), body=budget.CATEGORY_SCHEMA,
                              partial=True, if_match=True, errors=(409,),
                              params={"name": json_schema_of(budget.CATEGORY_NAME)},
                              note="Creating needs `budgeted`; renaming onto an existing name is a 409."),
    "budget.list_history": Op("The ledger, newest first", LIST, ref("BudgetEntry"), listing=budget.HISTORY_LISTING,
                              query=query_of(budget.HISTORY_QUERY)),
    "budget.add_entry": Op("Record an expense in an existing category (undated: today, UTC)", data=ref("BudgetEntry"),
                           body=budget.ENTRY_SCHEMA, status=201),
    "budget.get_forecast": Op("Burn rate, depletion date and projection as of a date", DATA, ref("Forecast"),
                              query=query_of(budget.AS_OF_QUERY)),
}
