import type { Catalog } from './en';

/**
 * German: "Sie"; durations in the dative that „innerhalb von“ governs. The first paragraph after
 * the greeting ("Guten Tag Anna,") starts in lower case, as German letters continue the sentence.
 */
export const de: Catalog = {
  'subject.decision': 'Entscheidung im Streitfall {caseId} (Bestellung {orderId}): {outcome}',
  'subject.appeal':
    'Einspruch im Streitfall {caseId} (Bestellung {orderId}): {verdict, select, uphold {die Entscheidung bleibt bestehen} other {die Entscheidung wurde geändert}}',
  'subject.evidence': 'Streitfall {caseId} (Bestellung {orderId}): Bitte senden Sie Nachweise bis zum {dueAt}',
  'subject.resolutions': 'Streitfall {caseId} (Bestellung {orderId}): Lösungsvorschläge, bitte antworten Sie bis zum {replyDueAt}',
  greeting: 'Guten Tag {name},',
  item: '{quantity, plural, =1 {„{title}“} other {# × „{title}“}}',
  'duration.days': '{days, plural, one {# Tag} other {# Tagen}}',
  'duration.hours': '{hours, plural, one {# Stunde} other {# Stunden}}',
  intro: 'wir haben den Streitfall zu {item} geprüft (Bestellung {orderId}; Grund: {reason}).',
  decisionLine: 'Entscheidung: {outcome}.',
  'outcome.full': 'Volle Erstattung',
  'outcome.partial': 'Teilerstattung, der Käufer behält den Artikel',
  'outcome.return': 'Rücksendung gegen volle Erstattung',
  'outcome.none': 'Keine Erstattung',
  'reason.not_received.in_transit': 'Nicht erhalten · noch unterwegs',
  'reason.not_received.returned_to_sender': 'Nicht erhalten · an den Absender zurückgeschickt',
  'reason.not_received.no_tracking_info': 'Nicht erhalten · keine Sendungsverfolgung',
  'reason.not_received.customs': 'Nicht erhalten · beim Zoll festgehalten',
  'reason.not_received.wrong_address': 'Nicht erhalten · falsche Adresse',
  'reason.not_as_described': 'Nicht wie beschrieben',
  'reason.defective': 'Defekt',
  'reason.damaged': 'Beschädigt',
  'reason.wrong_item': 'Falscher Artikel',
  'reason.missing_parts': 'Fehlende Teile',
  'reason.counterfeit': 'Fälschung',
  'reason.quantity_short': 'Zu geringe Menge',
  'buyer.full': 'Sie erhalten den Gesamtbetrag der Bestellung von {total} erstattet. Sie müssen den Artikel nicht zurückschicken.',
  'buyer.partial': 'Sie erhalten {amount} erstattet und behalten den Artikel.',
  'buyer.return':
    'Bitte schicken Sie den Artikel innerhalb von {duration} nach dieser Entscheidung, bis zum {returnDueAt}, an den Verkäufer zurück und teilen Sie uns die Sendungsnummer der Rücksendung mit. Sobald der Verkäufer den Erhalt bestätigt, erhalten Sie den Gesamtbetrag der Bestellung von {total} erstattet. Die Rücksendekosten tragen Sie; wird der Artikel nicht rechtzeitig zurückgeschickt, entfällt die Erstattung.',
  'buyer.none': 'Ihnen steht keine Erstattung zu. Die Zahlung von {total} wird an den Verkäufer ausgezahlt.',
  'seller.full':
    'Der Käufer erhält den Gesamtbetrag der Bestellung von {total} aus der einbehaltenen Zahlung erstattet und schickt den Artikel nicht zurück.',
  'seller.partial':
    'Der Käufer erhält {amount} aus der einbehaltenen Zahlung erstattet und behält den Artikel; der Rest von {rest} wird an Sie ausgezahlt.',
  'seller.return':
    'Der Käufer schickt den Artikel innerhalb von {duration} nach dieser Entscheidung, bis zum {returnDueAt}, zurück. Bitte bestätigen Sie den Erhalt, sobald er ankommt; dann wird dem Käufer der Gesamtbetrag der Bestellung von {total} aus der einbehaltenen Zahlung erstattet.',
  'seller.none': 'Es ist keine Erstattung fällig. Die einbehaltene Zahlung von {total} wird an Sie ausgezahlt.',
  reasonsHeading: 'Begründung:',
  untranslated: '(Vom Mediator auf {language} verfasst. Dieser Text wurde nicht übersetzt.)',
  translationNote: '(Übersetzung des Mediationsteams; das Original ist auf {language}.)',
  appealRight:
    'Wenn Sie nicht einverstanden sind, können Sie innerhalb von {duration} nach dieser Entscheidung, bis zum {appealUntil}, Einspruch einlegen: gegen das Ergebnis, wegen des Verhaltens des Mediators oder mit neuen Nachweisen. Ein Supervisor, der diese Entscheidung nicht getroffen hat, prüft den Einspruch.',
  finalAgreement: 'Beide Parteien haben dieser Lösung zugestimmt; sie ist daher endgültig und kann nicht angefochten werden.',
  signoff: 'Ihr Mediationsteam',
  'appeal.reviewed':
    'ein Supervisor, der die ursprüngliche Entscheidung nicht getroffen hat, hat {own, select, yes {Ihren Einspruch} other {den Einspruch der anderen Partei}} geprüft.',
  'appeal.upheld': 'Die ursprüngliche Entscheidung bleibt bestehen: {outcome}.',
  'appeal.overturned': 'Die Entscheidung wurde geändert: {outcome}.',
  'appeal.final': 'Diese Entscheidung ist endgültig und kann nicht erneut angefochten werden.',
  'evidence.intro': 'der Mediator, der den Streitfall zu {item} (Bestellung {orderId}) bearbeitet, bittet Sie um folgende Nachweise:',
  'evidence.deadline':
    'Bitte senden Sie sie bis zum {dueAt}. Angenommen werden Fotos (JPG, PNG, BMP, GIF) bis {maxImage} je Datei und Videos (MP4, WebM, MOV) bis {maxVideo}.',
  'evidence.consequence.buyer': 'Geht bis dahin nichts ein, kann der Streitfall ohne Erstattung an Sie entschieden werden.',
  'evidence.consequence.seller': 'Geht bis dahin nichts ein, kann der Streitfall zugunsten des Käufers entschieden werden.',
  'resolutions.intro': 'der Mediator hat den Streitfall zu {item} (Bestellung {orderId}) geprüft und schlägt Folgendes vor:',
  'option.label': 'Option {letter}',
  'amount.pending': '(der Erstattungsbetrag, den Sie eingeben)',
  'option.line': '{label}: {text}',
  'option.partial': 'Teilerstattung von {amount}; der Käufer behält den Artikel.',
  'option.return': 'Volle Erstattung von {total}, sobald der Artikel beim Verkäufer zurück ist (die Rücksendekosten trägt der Käufer).',
  'option.full': 'Volle Erstattung von {total}; nichts wird zurückgeschickt.',
  'resolutions.recommended': 'Empfohlen: {option}.',
  'resolutions.reply':
    'Bitte antworten Sie bis zum {replyDueAt}: Nehmen Sie eine der Optionen an oder lehnen Sie sie ab. Nehmen beide Parteien dieselbe Option an, ist der Streitfall sofort endgültig erledigt. Antworten Sie nicht rechtzeitig und hat die andere Partei eine Option angenommen, gilt diese Option.',
};
