-- One task from :Burrow task to the files on disk, driven by the plugin's own keys against the real
-- server: `a` approves the plan in its float, the diff tab opens, `ga`/`gr` decide the hunks and
-- <CR> applies. Only what the user accepted may reach the buffer and the disk.
local h = require('helpers')

local lines = h.numbered('const line%d = %d;', 20)
local original = h.text(lines)
local function with(changes)
  return h.text(lines, changes)
end
-- The model rewrites line 2 and line 18: far enough apart to be two hunks.
local proposed = with({ [2] = "const line2 = 'two';", [18] = "const line18 = 'eighteen';" })
local only_first = with({ [2] = "const line2 = 'two';" })

describe('the plan float and the diff tab', function()
  local ws, buf
  before_each(function()
    ws = h.workspace({ ['numbers.js'] = original })
    h.setup()
    buf = h.edit(ws.path('numbers.js'))
    h.model.answer(
      { json = h.model.plan('Spell out the values of line2 and line18.', { 'numbers.js' }) },
      { text = h.model.whole_files({ { 'numbers.js', proposed } }) }
    )
  end)
  after_each(h.reset)

  it('approves with a, accepts one hunk, rejects the other, and writes exactly the accepted one', function()
    local plan, review, tasks = require('burrow.plan'), require('burrow.review'), require('burrow.tasks')
    vim.cmd('Burrow task spell out line2 and line18')
    h.wait_for('the plan float', function()
      return plan.current ~= nil
    end)
    assert.are.equal(plan.current.win, vim.api.nvim_get_current_win())
    assert.are_not.equal('', vim.api.nvim_win_get_config(plan.current.win).relative)
    local shown = table.concat(vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false), '\n')
    assert.truthy(shown:find('Spell out the values of line2 and line18.', 1, true))
    assert.truthy(shown:find('numbers.js', 1, true))
    local id = plan.current.taskId

    h.keys('a')
    h.wait_for('the diff tab', function()
      return review.current ~= nil
    end)
    local r = review.current
    assert.is_true(vim.wo[r.left_win].diff and vim.wo[r.right_win].diff)
    assert.are.equal(2, #r.files[1].hunks)
    assert.are.same(vim.split(original, '\n', { plain = true, trimempty = true }), vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(r.left_win), 0, -1, false))
    assert.are.same(vim.split(proposed, '\n', { plain = true, trimempty = true }), vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(r.right_win), 0, -1, false))
    -- Nothing reaches the real buffer before the user decides.
    assert.are.equal(original, h.buffer_text(buf))
    assert.is_false(vim.bo[buf].modified)

    h.keys('ga') -- the cursor starts on the first hunk; accepting moves to the next pending one
    h.keys('gr')
    assert.are.equal(1, #review.accepted_ids())
    h.keys('<CR>')
    h.wait_for_state(id, 'applied')
    h.wait_for_written()
    assert.is_nil(review.current)
    assert.are.equal(only_first, ws.read('numbers.js'))
    assert.are.equal(only_first, h.buffer_text(buf))
    assert.are.same({ 'h2' }, tasks.get(id).declinedHunks)
  end)

  it('rejects every hunk with feedback and leaves the file as it was', function()
    local plan, review, tasks = require('burrow.plan'), require('burrow.review'), require('burrow.tasks')
    local prompts = h.answer_prompts('keep the numbers')
    vim.cmd('Burrow task spell out line2 and line18')
    h.wait_for('the plan float', function()
      return plan.current ~= nil
    end)
    local id = plan.current.taskId
    h.keys('a')
    h.wait_for('the diff tab', function()
      return review.current ~= nil
    end)
    h.keys('gR')
    h.wait_for_state(id, 'rejected')
    assert.are.equal(1, #prompts)
    assert.are.equal(original, h.buffer_text(buf))
    assert.are.equal(original, ws.read('numbers.js'))
    -- Two model requests (plan, edits) and nothing after the rejection.
    assert.are.equal(2, #h.model.requests())
  end)
end)
