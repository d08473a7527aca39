-- The diff tab's model, built in Lua from Burrow's unified diff (review.build), against changesets
-- made by the server's own edit engine (BURROW_TEST_DATA, written by test/nvim/spec-data.ts): for
-- every generated case the model shows exactly the engine's proposed text for every file and pairs
-- every hunk with its id. Edits anywhere, new and deleted files, empty files, files without a final
-- newline and CRLF files.
local h = require('helpers')

local data_path = vim.env.BURROW_TEST_DATA
local cases = data_path and vim.json.decode(h.read_file(data_path)) or {}

describe('the review model', function()
  it('has cases from the edit engine', function()
    assert.is_true(#cases > 100, 'BURROW_TEST_DATA holds no cases: run through test/nvim')
  end)

  for _, case in ipairs(cases) do
    it(case.name .. ': the proposed text and hunk ids the engine made', function()
      local root = vim.fn.tempname()
      for _, file in ipairs(case.files) do
        h.write_file(root .. '/' .. file.path, file.text)
      end
      local changes = {}
      for _, change in ipairs(case.changes) do
        change.uri = vim.uri_from_fname(root .. '/' .. change.path)
        table.insert(changes, change)
      end
      local warnings = h.record_notes(true)
      local files = require('burrow.review').build({ taskId = case.taskId, diff = case.diff, changes = changes })
      h.reset()
      assert.are.same({}, warnings)
      local by_path = {}
      for _, file in ipairs(files) do
        by_path[file.path] = file
      end
      for _, expected in ipairs(case.expected) do
        local shown = by_path[expected.path]
        assert.is_not_nil(shown, expected.path .. ' is missing from the tab')
        assert.are.same(expected.old, shown.old or {})
        assert.are.same(expected.new, shown.new or {})
        assert.are.same(expected.ids, vim.tbl_map(function(hunk)
          return hunk.id
        end, shown.hunks))
      end
    end)
  end
end)
