-- The diff tab's model (review_model.lua, pure: no window, buffer or disk), built from Burrow's
-- unified diff, against changesets
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
      -- The current text of each file, as the view would read it from a buffer: lines without
      -- their carriage returns.
      local current = {}
      for _, file in ipairs(case.files) do
        local lines = vim.split(file.text, '\n', { plain = true })
        if lines[#lines] == '' then
          table.remove(lines)
        end
        current['/case/' .. file.path] = vim.tbl_map(function(line)
          return (line:gsub('\r$', ''))
        end, lines)
      end
      local changes = {}
      for _, change in ipairs(case.changes) do
        change.uri = vim.uri_from_fname('/case/' .. change.path)
        table.insert(changes, change)
      end
      local files, problems = require('burrow.review_model').build({ taskId = case.taskId, diff = case.diff, changes = changes }, {
        root = '/case',
        read = function(fname)
          return vim.deepcopy(current[fname] or {})
        end,
      })
      assert.are.same({}, problems)
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
