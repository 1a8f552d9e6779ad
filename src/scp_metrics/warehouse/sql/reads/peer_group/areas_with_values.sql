-- Areas with at least one indicator value: the candidates of a proxy peer group (an area
-- without data could only be an unranked member).
select distinct area_code
from mart_indicator_values
where value is not null
order by area_code
