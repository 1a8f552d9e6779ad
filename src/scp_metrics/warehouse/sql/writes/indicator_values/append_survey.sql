-- The Place Survey rows after the counted ones, as the whole build writes them.
insert into mart_indicator_values select * from _iv_survey
