// Progressive enhancement only: every page works without this file.
import { initAll } from './nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Words as the server counts them (portfolio.CountWords): runs of letters or digits, with
// apostrophes and hyphens inside a word.
const wordRE = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu
const countWords = (text) => (text.match(wordRE) || []).length
const describe = (n, limit) => {
  const words = n + (n === 1 ? ' word' : ' words')
  if (!limit) return words
  return n > limit ? `${words}: ${n - limit} over the limit of ${limit}` : `${n} of ${limit} words`
}

// Live word counts on textareas that ask for one (data-count-words). A textarea in a
// data-count-group adds to one shared count for the group (the statement, across standards).
const groups = {}
for (const area of document.querySelectorAll('textarea[data-count-words]')) {
  const group = area.dataset.countGroup
  if (group) {
    (groups[group] ||= []).push(area)
    continue
  }
  const out = document.getElementById(area.id + '-count')
  if (!out) continue
  const limit = Number(area.dataset.wordLimit) || 0
  const update = () => { out.textContent = describe(countWords(area.value), limit) }
  area.addEventListener('input', update)
  update()
}
for (const [group, areas] of Object.entries(groups)) {
  const out = document.getElementById(group + '-count')
  if (!out) continue
  const limit = Number(out.dataset.wordLimit) || 0
  const update = () => { out.textContent = describe(areas.reduce((n, a) => n + countWords(a.value), 0), limit) }
  for (const a of areas) a.addEventListener('input', update)
  update()
}
