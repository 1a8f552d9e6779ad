-- Every loaded partner return row (raw_partner_returns), in a stable order.
select indicator, financial_year, financial_quarter, period_start, agency, numerator,
       denominator, value, published_lower, published_upper, age_band, standard, note
from raw_partner_returns
order by indicator, period_start, agency, age_band nulls first, source_row
