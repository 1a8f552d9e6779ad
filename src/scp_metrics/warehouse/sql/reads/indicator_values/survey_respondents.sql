-- The home area's Place Survey answers, respondent by respondent, in file order.
select * from raw_place_survey order by source_row
