-- Builds the diff tab's model (review.build) for every case in a JSON file and reports, per file,
-- the proposed lines and hunk ids the tab would show. The test compares them with the edit
-- engine's own answer.
local h = require('harness')
local review = require('burrow.review')

local cases = vim.json.decode(h.read_file(h.params.cases_path))
local warnings = {}
local original_notify = vim.notify
vim.notify = function(msg)
  table.insert(warnings, msg)
end
local out = {}
for _, case in ipairs(cases) do
  warnings = {}
  local files = review.build({ taskId = case.taskId, diff = case.diff, changes = case.changes })
  local got = {}
  for _, file in ipairs(files) do
    local ids = {}
    for _, hunk in ipairs(file.hunks) do
      table.insert(ids, hunk.id)
    end
    table.insert(got, { path = file.path, new = file.new, old = file.old, ids = ids, created = file.created, deleted = file.deleted })
  end
  table.insert(out, { name = case.name, files = got, warnings = warnings })
end
vim.notify = original_notify
return { cases = out }
