-- The quarters the CSP table covers and its row count.
select min(quarter_start) as first_quarter, max(quarter_start) as last_quarter, count(*) as n
from stg_ho_csp_crime
