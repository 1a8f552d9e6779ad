-- Monthly police.uk counts per indicator and local authority.
select indicator_id, area_code, unit_start as month, numerator as count
from int_units_police_uk
where months = 1
order by indicator_id, area_code, month
