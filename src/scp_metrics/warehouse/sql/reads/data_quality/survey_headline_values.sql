-- The home area's published Place Survey headline percentages.
select indicator, percentage
from raw_place_survey_headline
where authority_code = $home_area
order by source_row
