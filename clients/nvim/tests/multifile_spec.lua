-- A proposal across several files in the diff tab: one file shown at a time, `q` closes without
-- deciding and :Burrow review brings the tab back with its decisions, `]h` walks hunks across
-- files, and only accepted hunks land (an undecided new file is not created).
local h = require('helpers')

local function numbered(prefix, n, changes)
  local out = {}
  for i = 1, n do
    out[i] = string.format('export const %s%d = %d;', prefix, i, i)
  end
  for i, text in pairs(changes or {}) do
    out[i] = text
  end
  return table.concat(out, '\n') .. '\n'
end
local a, b = numbered('a', 14), numbered('b', 6)
local a_new = numbered('a', 14, { [1] = "export const a1 = 'one';", [14] = "export const a14 = 'fourteen';" })
local b_new = numbered('b', 6, { [3] = "export const b3 = 'three';" })
local c_new = 'export const c1 = 1;\n'

describe('the diff tab across files', function()
  after_each(h.reset)

  for _, case in ipairs({
    { mode = 'first-file', a = a_new, b = b, c = nil, accepted = 2, declined = 2 },
    { mode = 'all', a = a_new, b = b_new, c = c_new, accepted = 4, declined = 0 },
  }) do
    it('walks hunks across files, reopens after q, and applies what was accepted (' .. case.mode .. ')', function()
      local ws = h.workspace({ ['src/a.js'] = a, ['src/b.js'] = b })
      h.setup()
      h.edit(ws.path('src/a.js'))
      local planned = h.model.plan('Spell out a few constants and add c.js.', { 'src/a.js', 'src/b.js', 'src/lib/c.js' })
      planned.files[3].action = 'create'
      h.model.answer({ json = planned }, { text = h.model.whole_files({ { 'src/a.js', a_new }, { 'src/b.js', b_new }, { 'src/lib/c.js', c_new } }) })
      local review, tasks = require('burrow.review'), require('burrow.tasks')
      local id = h.start_task('spell out some constants and add c.js')
      vim.cmd('Burrow approve')
      h.wait_for('the diff tab', function()
        return review.current ~= nil
      end)
      assert.are.same({ 'src/a.js', 'src/b.js', 'src/lib/c.js' }, vim.tbl_map(function(f)
        return f.path
      end, review.current.files))
      assert.are.same({ false, false, true }, vim.tbl_map(function(f)
        return f.created == true
      end, review.current.files))

      vim.cmd('Burrow hunk reject')
      h.keys('q')
      assert.is_nil(review.current)
      assert.are.equal('awaitingChangesApproval', tasks.get(id).state)
      vim.cmd('Burrow review')
      assert.is_not_nil(review.current)
      assert.are.equal('rejected', review.current.files[1].hunks[1].decision)

      local seen, last_key = {}, nil
      for _ = 1, 10 do
        local file = review.current.files[review.current.file_index]
        local key = file.path .. ':' .. vim.api.nvim_win_get_cursor(0)[1]
        if key == last_key then
          break
        end
        table.insert(seen, file.path)
        last_key = key
        h.keys(']h')
      end
      assert.are.same({ 'src/a.js', 'src/a.js', 'src/b.js', 'src/lib/c.js' }, seen)

      if case.mode == 'all' then
        vim.cmd('Burrow hunk accept-all')
      else
        while review.current.file_index ~= 1 do
          vim.cmd('Burrow file prev')
        end
        for _ = 1, #review.current.files[1].hunks do
          vim.cmd('Burrow hunk accept')
        end
      end
      assert.are.equal(case.accepted, #review.accepted_ids())
      vim.cmd('Burrow submit')
      h.wait_for_state(id, 'applied')
      h.wait_for_written()
      assert.are.equal(case.declined, #(tasks.get(id).declinedHunks or {}))
      assert.are.equal(case.a, ws.read('src/a.js'))
      assert.are.equal(case.b, ws.read('src/b.js'))
      assert.are.equal(case.c, ws.read('src/lib/c.js'))
    end)
  end
end)
