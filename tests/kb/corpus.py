# ruff: noqa: E501  (article text and questions: data, one entry per line)
"""A deterministic knowledge base for the retrieval evaluation and the benchmarks.

``TOPICS``: the articles the evaluation's questions are about, written for the five
handbooks' error codes and topics (DataFlow's error catalogue; NexaCore's passwords,
workflow engine, API gateway and AI models; Fire22's payments and accounts; the CSU's
billing, onboarding and security; the escalation process), each in English, Spanish,
French and Arabic. ``distractors(n)``: generated articles on the same product vocabulary
(the same words, other problems), so a question has to find its article among look-alikes.
``QUESTIONS``: how customers ask, in their own words, with the article that answers.
"""

import random

from django.db import transaction

from tierdesk import clock
from tierdesk.kb.models import Article, Translation
from tierdesk.kb.rendering import render_markdown
from tierdesk.kb.search import index_article

# key: (category, codes, {lang: (title, body)})
TOPICS = {
    "ds1001": ("data-sources", ["DS-1001"], {
        "en": ("DS-1001: Invalid credentials on a data source", "The database rejected the user name or password. Open Data sources, edit the connection, re-enter the credentials and test the connection."),
        "es": ("DS-1001: credenciales no válidas en una fuente de datos", "La base de datos rechazó el usuario o la contraseña. Abra Fuentes de datos, edite la conexión, vuelva a introducir las credenciales y pruebe la conexión."),
        "fr": ("DS-1001 : identifiants invalides sur une source de données", "La base a refusé l'utilisateur ou le mot de passe. Ouvrez Sources de données, modifiez la connexion, saisissez de nouveau les identifiants et testez la connexion."),
        "ar": ("DS-1001: بيانات اعتماد غير صالحة لمصدر البيانات", "رفضت قاعدة البيانات اسم المستخدم أو كلمة المرور. افتح مصادر البيانات وعدّل الاتصال وأعد إدخال بيانات الاعتماد ثم اختبر الاتصال.")}),
    "ds1002": ("data-sources", ["DS-1002"], {
        "en": ("DS-1002: Data source connection failure", "The server cannot be reached. Allow our IP range through your firewall, check the host and port, and confirm the database is running."),
        "es": ("DS-1002: fallo de conexión con la fuente de datos", "No se puede alcanzar el servidor. Permita nuestro rango de IP en el cortafuegos, revise el host y el puerto y confirme que la base de datos está activa."),
        "fr": ("DS-1002 : échec de connexion à la source de données", "Le serveur est injoignable. Autorisez notre plage d'adresses IP dans le pare-feu, vérifiez l'hôte et le port, et confirmez que la base fonctionne."),
        "ar": ("DS-1002: فشل الاتصال بمصدر البيانات", "لا يمكن الوصول إلى الخادم. اسمح بنطاق عناوين IP الخاص بنا في جدار الحماية وتحقق من المضيف والمنفذ وتأكد من تشغيل قاعدة البيانات.")}),
    "db2002": ("outage", ["DB-2002"], {
        "en": ("DB-2002: Error 503 Service Unavailable", "The platform is temporarily unavailable. Check the status page; our DevOps team is alerted automatically and updates it every 30 minutes."),
        "es": ("DB-2002: error 503 servicio no disponible", "La plataforma no está disponible temporalmente. Consulte la página de estado; el equipo de DevOps recibe la alerta y la actualiza cada 30 minutos."),
        "fr": ("DB-2002 : erreur 503 service indisponible", "La plateforme est temporairement indisponible. Consultez la page d'état ; l'équipe DevOps est alertée et la met à jour toutes les 30 minutes."),
        "ar": ("DB-2002: الخطأ 503 الخدمة غير متاحة", "المنصة غير متاحة مؤقتًا. راجع صفحة الحالة؛ يتم تنبيه فريق العمليات تلقائيًا ويحدّثها كل 30 دقيقة.")}),
    "db2003": ("performance", ["DB-2003"], {
        "en": ("DB-2003: Dashboards load slowly", "Large date ranges and many widgets slow a dashboard down. Narrow the date range, enable caching and split heavy dashboards."),
        "es": ("DB-2003: los paneles cargan lentamente", "Los rangos de fechas amplios y muchos widgets ralentizan un panel. Reduzca el rango de fechas, active la caché y divida los paneles pesados."),
        "fr": ("DB-2003 : les tableaux de bord se chargent lentement", "Les longues périodes et les nombreux widgets ralentissent un tableau de bord. Réduisez la période, activez le cache et divisez les tableaux lourds."),
        "ar": ("DB-2003: بطء تحميل لوحات المعلومات", "النطاقات الزمنية الكبيرة وكثرة العناصر تبطئ لوحة المعلومات. قلّص النطاق الزمني وفعّل التخزين المؤقت وقسّم اللوحات الثقيلة.")}),
    "dr3003": ("data-sources", ["DR-3003"], {
        "en": ("DR-3003: Data refresh timeout", "A scheduled refresh took longer than the limit. Refresh fewer tables at once, add indexes to the source, or move the schedule to quiet hours."),
        "es": ("DR-3003: tiempo de espera agotado en la actualización de datos", "Una actualización programada superó el límite de tiempo. Actualice menos tablas a la vez, añada índices en el origen o mueva la programación a horas tranquilas."),
        "fr": ("DR-3003 : délai dépassé lors de l'actualisation des données", "Une actualisation planifiée a dépassé la limite. Actualisez moins de tables à la fois, ajoutez des index à la source ou déplacez la planification aux heures creuses."),
        "ar": ("DR-3003: انتهاء مهلة تحديث البيانات", "استغرق التحديث المجدول وقتًا أطول من الحد. حدّث جداول أقل في كل مرة أو أضف فهارس إلى المصدر أو انقل الجدولة إلى ساعات الهدوء.")}),
    "api4001": ("api", ["API-4001"], {
        "en": ("API-4001: API authentication error", "The API key is missing, expired or revoked. Create a new key under Settings > API keys and send it in the Authorization header."),
        "es": ("API-4001: error de autenticación de la API", "La clave de API falta, caducó o fue revocada. Cree una clave nueva en Ajustes > Claves de API y envíela en la cabecera Authorization."),
        "fr": ("API-4001 : erreur d'authentification de l'API", "La clé d'API manque, a expiré ou a été révoquée. Créez une nouvelle clé dans Paramètres > Clés d'API et envoyez-la dans l'en-tête Authorization."),
        "ar": ("API-4001: خطأ في مصادقة واجهة البرمجة", "مفتاح API مفقود أو منتهي الصلاحية أو ملغى. أنشئ مفتاحًا جديدًا من الإعدادات ثم مفاتيح API وأرسله في ترويسة Authorization.")}),
    "api4004": ("api", ["API-4004"], {
        "en": ("API-4004: Too many requests (rate limit)", "Your integration exceeded the rate limit of requests per minute. Retry after the Retry-After header, batch calls and cache responses."),
        "es": ("API-4004: demasiadas solicitudes (límite de uso)", "Su integración superó el límite de solicitudes por minuto. Reintente tras la cabecera Retry-After, agrupe llamadas y guarde respuestas en caché."),
        "fr": ("API-4004 : trop de requêtes (limite de débit)", "Votre intégration a dépassé la limite de requêtes par minute. Réessayez après l'en-tête Retry-After, regroupez les appels et mettez les réponses en cache."),
        "ar": ("API-4004: طلبات كثيرة جدًا (حد المعدل)", "تجاوز التكامل الخاص بك حد الطلبات في الدقيقة. أعد المحاولة بعد ترويسة Retry-After واجمع الطلبات وخزّن الاستجابات مؤقتًا.")}),
    "perm5005": ("permissions", ["PERM-5005"], {
        "en": ("PERM-5005: Permission denied", "Your role does not allow this action. Ask a workspace administrator to grant you the editor role on the project."),
        "es": ("PERM-5005: permiso denegado", "Su rol no permite esta acción. Pida a un administrador del espacio de trabajo que le asigne el rol de editor en el proyecto."),
        "fr": ("PERM-5005 : autorisation refusée", "Votre rôle ne permet pas cette action. Demandez à un administrateur de l'espace de travail de vous donner le rôle d'éditeur sur le projet."),
        "ar": ("PERM-5005: تم رفض الإذن", "دورك لا يسمح بهذا الإجراء. اطلب من مسؤول مساحة العمل منحك دور المحرر في المشروع.")}),
    "mob6006": ("mobile", ["MOB-6006"], {
        "en": ("MOB-6006: Mobile app not loading", "The mobile app stays on the splash screen. Update the app, clear its cache, then sign out and back in."),
        "es": ("MOB-6006: la aplicación móvil no carga", "La aplicación móvil se queda en la pantalla de inicio. Actualice la aplicación, borre su caché y vuelva a iniciar sesión."),
        "fr": ("MOB-6006 : l'application mobile ne se charge pas", "L'application mobile reste sur l'écran de démarrage. Mettez l'application à jour, videz son cache, puis déconnectez-vous et reconnectez-vous."),
        "ar": ("MOB-6006: تطبيق الجوال لا يعمل", "يبقى تطبيق الجوال على شاشة البداية. حدّث التطبيق وامسح ذاكرته المؤقتة ثم سجّل الخروج وادخل مجددًا.")}),
    "mob6007": ("mobile", ["MOB-6007"], {
        "en": ("MOB-6007: Map widget error on mobile", "The map widget shows a blank tile on phones. Allow location access and update to the latest app version."),
        "es": ("MOB-6007: error del widget de mapa en el móvil", "El widget de mapa aparece en blanco en los teléfonos. Permita el acceso a la ubicación y actualice a la última versión."),
        "fr": ("MOB-6007 : erreur du widget de carte sur mobile", "Le widget de carte reste vide sur les téléphones. Autorisez l'accès à la localisation et installez la dernière version."),
        "ar": ("MOB-6007: خطأ في أداة الخريطة على الجوال", "تظهر أداة الخريطة فارغة على الهواتف. اسمح بالوصول إلى الموقع وحدّث إلى أحدث إصدار.")}),
    "calc7007": ("calculations", ["CALC-7007"], {
        "en": ("CALC-7007: Invalid formula in a calculated field", "The formula has a syntax error: check brackets, quotes around text and the field names."),
        "es": ("CALC-7007: fórmula no válida en un campo calculado", "La fórmula tiene un error de sintaxis: revise los paréntesis, las comillas del texto y los nombres de los campos."),
        "fr": ("CALC-7007 : formule invalide dans un champ calculé", "La formule contient une erreur de syntaxe : vérifiez les parenthèses, les guillemets autour du texte et les noms des champs."),
        "ar": ("CALC-7007: صيغة غير صالحة في حقل محسوب", "في الصيغة خطأ في البناء: تحقق من الأقواس وعلامات الاقتباس حول النص وأسماء الحقول.")}),
    "sso9001": ("sso", ["SSO-9001"], {
        "en": ("SSO-9001: Single sign-on login failure", "Sign-in through your identity provider fails. Check the SAML certificate has not expired and the user's email matches."),
        "es": ("SSO-9001: fallo de inicio de sesión único", "El inicio de sesión con su proveedor de identidad falla. Compruebe que el certificado SAML no ha caducado y que el correo del usuario coincide."),
        "fr": ("SSO-9001 : échec de connexion par authentification unique", "La connexion par votre fournisseur d'identité échoue. Vérifiez que le certificat SAML n'a pas expiré et que l'e-mail de l'utilisateur correspond."),
        "ar": ("SSO-9001: فشل تسجيل الدخول الموحد", "يفشل تسجيل الدخول عبر مزود الهوية. تحقق من أن شهادة SAML لم تنته صلاحيتها وأن بريد المستخدم مطابق.")}),
    "col11001": ("collaboration", ["COL-11001"], {
        "en": ("COL-11001: Comments not loading", "Comments on a dashboard do not appear. Reload the page, and ask your administrator to allow our websocket domain in the proxy."),
        "es": ("COL-11001: los comentarios no cargan", "Los comentarios de un panel no aparecen. Recargue la página y pida al administrador que permita nuestro dominio websocket en el proxy."),
        "fr": ("COL-11001 : les commentaires ne se chargent pas", "Les commentaires d'un tableau de bord n'apparaissent pas. Rechargez la page et demandez d'autoriser notre domaine websocket dans le proxy."),
        "ar": ("COL-11001: التعليقات لا تظهر", "لا تظهر التعليقات على لوحة المعلومات. أعد تحميل الصفحة واطلب من المسؤول السماح بنطاق websocket في الوكيل.")}),
    "map12001": ("maps", ["MAP-12001"], {
        "en": ("MAP-12001: Map rendering error", "A map visual fails to draw regions. Check the geography column uses ISO country codes and reduce the number of points."),
        "es": ("MAP-12001: error al representar el mapa", "Un mapa no dibuja las regiones. Compruebe que la columna geográfica usa códigos de país ISO y reduzca el número de puntos."),
        "fr": ("MAP-12001 : erreur d'affichage de la carte", "Une carte ne dessine pas les régions. Vérifiez que la colonne géographique utilise des codes pays ISO et réduisez le nombre de points."),
        "ar": ("MAP-12001: خطأ في عرض الخريطة", "لا ترسم الخريطة المناطق. تحقق من أن عمود الجغرافيا يستخدم رموز الدول ISO وقلّل عدد النقاط.")}),
    "wh13001": ("webhooks", ["WH-13001"], {
        "en": ("WH-13001: Webhook delivery failure", "Your endpoint did not answer with 2xx. Check the URL and its TLS certificate, then retry the delivery from the webhook log."),
        "es": ("WH-13001: fallo en la entrega del webhook", "Su endpoint no respondió con 2xx. Revise la URL y su certificado TLS y reintente la entrega desde el registro de webhooks."),
        "fr": ("WH-13001 : échec de livraison du webhook", "Votre point de terminaison n'a pas répondu en 2xx. Vérifiez l'URL et son certificat TLS, puis relancez la livraison depuis le journal des webhooks."),
        "ar": ("WH-13001: فشل تسليم الويب هوك", "لم تستجب نقطة النهاية برمز 2xx. تحقق من العنوان وشهادة TLS ثم أعد محاولة التسليم من سجل الويب هوك.")}),
    "sso_setup": ("sso", [], {
        "en": ("How to set up single sign-on with SAML", "Enterprise plans can enable SAML single sign-on: upload your identity provider metadata and map the email attribute."),
        "es": ("Cómo configurar el inicio de sesión único con SAML", "Los planes Enterprise pueden activar el inicio de sesión único SAML: suba los metadatos de su proveedor de identidad y asigne el atributo de correo."),
        "fr": ("Configurer l'authentification unique avec SAML", "Les offres Enterprise peuvent activer l'authentification unique SAML : importez les métadonnées de votre fournisseur d'identité et associez l'attribut e-mail."),
        "ar": ("كيفية إعداد تسجيل الدخول الموحد باستخدام SAML", "يمكن لخطط المؤسسات تفعيل تسجيل الدخول الموحد: ارفع بيانات مزود الهوية واربط سمة البريد الإلكتروني.")}),
    "refund": ("billing", [], {
        "en": ("Refunds and cancelling your subscription", "Cancel with 7 days notice. Refunds within 30 days are approved by support; older or larger amounts need a manager."),
        "es": ("Reembolsos y cancelación de la suscripción", "Cancele con 7 días de aviso. Los reembolsos dentro de 30 días los aprueba soporte; importes mayores o más antiguos requieren un responsable."),
        "fr": ("Remboursements et résiliation de l'abonnement", "Résiliez avec un préavis de 7 jours. Les remboursements sous 30 jours sont validés par le support ; au-delà, un responsable décide."),
        "ar": ("استرداد الأموال وإلغاء الاشتراك", "ألغِ الاشتراك بإشعار قبل 7 أيام. يوافق الدعم على الاسترداد خلال 30 يومًا؛ المبالغ الأكبر أو الأقدم تحتاج إلى مدير.")}),
    "password": ("account", [], {
        "en": ("Reset a forgotten password", "On the sign-in page choose Forgot password, enter your email and follow the link within one hour."),
        "es": ("Restablecer una contraseña olvidada", "En la página de acceso elija ¿Olvidó su contraseña?, introduzca su correo y siga el enlace antes de una hora."),
        "fr": ("Réinitialiser un mot de passe oublié", "Sur la page de connexion, choisissez Mot de passe oublié, saisissez votre e-mail et suivez le lien dans l'heure."),
        "ar": ("إعادة تعيين كلمة المرور المنسية", "في صفحة تسجيل الدخول اختر نسيت كلمة المرور وأدخل بريدك الإلكتروني واتبع الرابط خلال ساعة.")}),
    "workflow": ("workflow-engine", [], {
        "en": ("Workflow engine runs stuck in retry", "A workflow step keeps retrying when a downstream service times out. Raise the step timeout or add a dead-letter branch."),
        "es": ("Ejecuciones del motor de flujos atascadas en reintentos", "Un paso del flujo de trabajo se reintenta sin fin cuando un servicio posterior agota el tiempo. Aumente el tiempo del paso o añada una rama de mensajes fallidos."),
        "fr": ("Exécutions du moteur de workflows bloquées en nouvelle tentative", "Une étape du workflow recommence sans fin quand un service en aval expire. Augmentez le délai de l'étape ou ajoutez une branche de lettres mortes."),
        "ar": ("تعليق تشغيل محرك سير العمل في إعادة المحاولة", "تستمر خطوة سير العمل في إعادة المحاولة عندما تنتهي مهلة خدمة لاحقة. ارفع مهلة الخطوة أو أضف فرعًا للرسائل الفاشلة.")}),
    "gateway": ("api-gateway", [], {
        "en": ("API gateway returns 504 gateway timeout", "The gateway waited too long for your backend. Keep requests under 30 seconds or switch to asynchronous jobs."),
        "es": ("La pasarela de API devuelve 504 tiempo de espera", "La pasarela esperó demasiado a su backend. Mantenga las peticiones por debajo de 30 segundos o use trabajos asíncronos."),
        "fr": ("La passerelle d'API renvoie 504 délai dépassé", "La passerelle a attendu trop longtemps votre backend. Gardez les requêtes sous 30 secondes ou passez à des tâches asynchrones."),
        "ar": ("بوابة API تعيد الخطأ 504 انتهاء المهلة", "انتظرت البوابة الخادم الخلفي طويلًا. أبقِ الطلبات أقل من 30 ثانية أو استخدم المهام غير المتزامنة.")}),
    "aimodel": ("ai-models", [], {
        "en": ("AI model predictions fail or return empty results", "Inference fails when the input schema changed. Retrain the model on the new columns or pin the previous model version."),
        "es": ("Las predicciones del modelo de IA fallan o salen vacías", "La inferencia falla cuando cambia el esquema de entrada. Reentrene el modelo con las nuevas columnas o fije la versión anterior."),
        "fr": ("Les prédictions du modèle d'IA échouent ou sont vides", "L'inférence échoue quand le schéma d'entrée change. Réentraînez le modèle sur les nouvelles colonnes ou figez la version précédente."),
        "ar": ("فشل تنبؤات نموذج الذكاء الاصطناعي أو نتائج فارغة", "يفشل الاستدلال عندما يتغير مخطط الإدخال. أعد تدريب النموذج على الأعمدة الجديدة أو ثبّت الإصدار السابق.")}),
    "p1phone": ("general", [], {
        "en": ("Reporting a critical P1 incident by phone", "For a critical service disruption call the direct line; the on-call engineer answers around the clock."),
        "es": ("Notificar un incidente crítico P1 por teléfono", "Ante una interrupción crítica del servicio llame a la línea directa; el ingeniero de guardia responde a cualquier hora."),
        "fr": ("Signaler un incident critique P1 par téléphone", "En cas d'interruption critique du service, appelez la ligne directe ; l'ingénieur d'astreinte répond à toute heure."),
        "ar": ("الإبلاغ عن حادث حرج P1 عبر الهاتف", "عند انقطاع الخدمة الحرج اتصل بالخط المباشر؛ يرد المهندس المناوب على مدار الساعة.")}),
    "deposit": ("payment", [], {
        "en": ("Deposit not credited to your balance", "Card deposits appear within minutes, bank transfers within 2 business days. Send us the transaction reference if it takes longer."),
        "es": ("Depósito no acreditado en su saldo", "Los depósitos con tarjeta aparecen en minutos y las transferencias bancarias en 2 días hábiles. Envíenos la referencia de la transacción si tarda más."),
        "fr": ("Dépôt non crédité sur votre solde", "Les dépôts par carte apparaissent en quelques minutes, les virements en 2 jours ouvrés. Envoyez la référence de la transaction si c'est plus long."),
        "ar": ("الإيداع لم يُضف إلى رصيدك", "تظهر إيداعات البطاقة خلال دقائق والتحويلات البنكية خلال يومي عمل. أرسل لنا مرجع المعاملة إذا تأخر أكثر.")}),
    "withdrawal": ("payment", [], {
        "en": ("Withdrawal pending for a long time", "Withdrawals are reviewed within 24 hours, then paid to the original payment method. Verified accounts are paid faster."),
        "es": ("Retiro pendiente durante mucho tiempo", "Los retiros se revisan en 24 horas y se pagan al método de pago original. Las cuentas verificadas cobran antes."),
        "fr": ("Retrait en attente depuis longtemps", "Les retraits sont examinés sous 24 heures puis versés sur le moyen de paiement d'origine. Les comptes vérifiés sont payés plus vite."),
        "ar": ("طلب السحب معلق لفترة طويلة", "تتم مراجعة طلبات السحب خلال 24 ساعة ثم تُدفع إلى وسيلة الدفع الأصلية. الحسابات الموثقة تُدفع أسرع.")}),
    "verification": ("account", [], {
        "en": ("Account verification documents", "Upload a photo ID and a proof of address under Profile > Verification; checks take up to one day."),
        "es": ("Documentos para verificar la cuenta", "Suba un documento de identidad con foto y un justificante de domicilio en Perfil > Verificación; la revisión tarda hasta un día."),
        "fr": ("Documents de vérification du compte", "Téléversez une pièce d'identité avec photo et un justificatif de domicile dans Profil > Vérification ; le contrôle prend jusqu'à un jour."),
        "ar": ("مستندات توثيق الحساب", "ارفع صورة هوية وإثبات عنوان من الملف الشخصي ثم التوثيق؛ تستغرق المراجعة حتى يوم واحد.")}),
    "locked": ("account", [], {
        "en": ("Account locked after failed sign-in attempts", "After five failed attempts the account locks for 30 minutes. Wait, or reset your password to unlock it at once."),
        "es": ("Cuenta bloqueada tras intentos fallidos de acceso", "Tras cinco intentos fallidos la cuenta se bloquea 30 minutos. Espere o restablezca la contraseña para desbloquearla de inmediato."),
        "fr": ("Compte verrouillé après des échecs de connexion", "Après cinq échecs, le compte est verrouillé 30 minutes. Patientez ou réinitialisez le mot de passe pour le débloquer tout de suite."),
        "ar": ("قفل الحساب بعد محاولات دخول فاشلة", "بعد خمس محاولات فاشلة يُقفل الحساب لمدة 30 دقيقة. انتظر أو أعد تعيين كلمة المرور لفتحه فورًا.")}),
    "invoice": ("billing", [], {
        "en": ("Download your invoices", "Invoices are under Billing > Invoices as PDF; the billing contact also receives each one by email."),
        "es": ("Descargar sus facturas", "Las facturas están en Facturación > Facturas en PDF; el contacto de facturación también las recibe por correo."),
        "fr": ("Télécharger vos factures", "Les factures sont dans Facturation > Factures au format PDF ; le contact de facturation les reçoit aussi par e-mail."),
        "ar": ("تنزيل الفواتير", "الفواتير موجودة في الفوترة ثم الفواتير بصيغة PDF؛ ويتلقى مسؤول الفوترة كل فاتورة بالبريد الإلكتروني.")}),
    "onboarding": ("account", [], {
        "en": ("Onboarding: invite your team members", "Administrators invite users from Team > Invite; each new user gets a welcome email and a getting-started checklist."),
        "es": ("Incorporación: invite a los miembros de su equipo", "Los administradores invitan usuarios desde Equipo > Invitar; cada usuario nuevo recibe un correo de bienvenida y una lista para empezar."),
        "fr": ("Intégration : invitez les membres de votre équipe", "Les administrateurs invitent des utilisateurs depuis Équipe > Inviter ; chaque nouvel utilisateur reçoit un e-mail de bienvenue et une liste de démarrage."),
        "ar": ("الانضمام: دعوة أعضاء فريقك", "يدعو المسؤولون المستخدمين من الفريق ثم دعوة؛ ويتلقى كل مستخدم جديد رسالة ترحيب وقائمة للبدء.")}),
    "phishing": ("technical", [], {
        "en": ("Report a phishing email or a security vulnerability", "Forward suspicious emails to our security team and never enter your password from an email link. Vulnerabilities are handled under responsible disclosure."),
        "es": ("Informar de un correo de phishing o una vulnerabilidad de seguridad", "Reenvíe los correos sospechosos a nuestro equipo de seguridad y nunca escriba su contraseña desde un enlace de correo. Las vulnerabilidades se gestionan con divulgación responsable."),
        "fr": ("Signaler un e-mail d'hameçonnage ou une faille de sécurité", "Transférez les e-mails suspects à notre équipe sécurité et ne saisissez jamais votre mot de passe depuis un lien reçu. Les failles sont traitées en divulgation responsable."),
        "ar": ("الإبلاغ عن رسالة تصيد أو ثغرة أمنية", "أعد توجيه الرسائل المشبوهة إلى فريق الأمن ولا تدخل كلمة المرور من رابط في بريد. تُعالج الثغرات وفق الإفصاح المسؤول.")}),
    "escalation": ("general", [], {
        "en": ("How escalation works and following an escalated request", "Tier 1 hands complex issues to specialists and then engineering with the symptoms and steps to reproduce; you are told at each step."),
        "es": ("Cómo funciona el escalado y el seguimiento de una solicitud escalada", "El nivel 1 pasa los problemas complejos a especialistas y luego a ingeniería con los síntomas y los pasos para reproducirlos; se le informa en cada paso."),
        "fr": ("Fonctionnement de l'escalade et suivi d'une demande escaladée", "Le niveau 1 transmet les problèmes complexes aux spécialistes puis à l'ingénierie avec les symptômes et les étapes de reproduction ; vous êtes informé à chaque étape."),
        "ar": ("كيف يعمل التصعيد ومتابعة طلب مصعّد", "ينقل المستوى الأول المشكلات المعقدة إلى المتخصصين ثم إلى الهندسة مع الأعراض وخطوات إعادة الإنتاج؛ ونبلغك في كل خطوة.")}),
    "export": ("technical", [], {
        "en": ("Exports fail with an internal server error", "A CSV export over one million rows fails. Filter the rows, or schedule the export to be emailed when ready."),
        "es": ("Las exportaciones fallan con un error interno del servidor", "Una exportación CSV de más de un millón de filas falla. Filtre las filas o programe la exportación para recibirla por correo."),
        "fr": ("Les exports échouent avec une erreur interne du serveur", "Un export CSV de plus d'un million de lignes échoue. Filtrez les lignes ou planifiez l'export pour le recevoir par e-mail."),
        "ar": ("فشل التصدير بخطأ داخلي في الخادم", "يفشل تصدير CSV لأكثر من مليون صف. قم بتصفية الصفوف أو جدولة التصدير ليصلك بالبريد عند جاهزيته.")}),
}

# Generated look-alikes: the same product words, other problems and how-tos.
_OBJECTS = {
    "en": ["dashboard", "report", "chart", "filter", "widget", "schedule", "workspace", "project",
           "team", "alert", "notification", "template", "folder", "tag", "column", "dataset"],
    "es": ["panel", "informe", "gráfico", "filtro", "widget", "programación", "espacio", "proyecto",
           "equipo", "alerta", "notificación", "plantilla", "carpeta", "etiqueta", "columna",
           "conjunto"],
    "fr": ["tableau", "rapport", "graphique", "filtre", "widget", "planification", "espace",
           "projet", "équipe", "alerte", "notification", "modèle", "dossier", "étiquette",
           "colonne", "jeu"],
    "ar": ["لوحة", "تقرير", "مخطط", "مرشح", "أداة", "جدول", "مساحة", "مشروع", "فريق", "تنبيه",
           "إشعار", "قالب", "مجلد", "وسم", "عمود", "مجموعة"],
}
_ACTIONS = {
    "en": ["Rename a {o}", "Share a {o} with a colleague", "Duplicate a {o}", "Delete a {o}",
           "Colour options for a {o}", "Pin a {o} to the home page", "Translate a {o}",
           "Print a {o}", "Move a {o} between folders", "Restore a deleted {o}",
           "Keyboard shortcuts for a {o}"],
    "es": ["Renombrar un {o}", "Compartir un {o} con un colega", "Duplicar un {o}",
           "Eliminar un {o}", "Opciones de color de un {o}", "Fijar un {o} en la portada",
           "Traducir un {o}", "Imprimir un {o}", "Mover un {o} entre carpetas",
           "Restaurar un {o} eliminado", "Atajos de teclado de un {o}"],
    "fr": ["Renommer un {o}", "Partager un {o} avec un collègue", "Dupliquer un {o}",
           "Supprimer un {o}", "Options de couleur d'un {o}", "Épingler un {o} à l'accueil",
           "Traduire un {o}", "Imprimer un {o}", "Déplacer un {o} entre dossiers",
           "Restaurer un {o} supprimé", "Raccourcis clavier d'un {o}"],
    "ar": ["إعادة تسمية {o}", "مشاركة {o} مع زميل", "نسخ {o}", "حذف {o}", "خيارات ألوان {o}",
           "تثبيت {o} في الصفحة الرئيسية", "ترجمة {o}", "طباعة {o}", "نقل {o} بين المجلدات",
           "استعادة {o} محذوف", "اختصارات لوحة المفاتيح لـ {o}"],
}
_BODY = {
    "en": "Open the {o} menu and choose the option. Changes apply to every user of the workspace; the data source and its connection are not affected.",
    "es": "Abra el menú del {o} y elija la opción. Los cambios se aplican a todos los usuarios del espacio; la fuente de datos y su conexión no cambian.",
    "fr": "Ouvrez le menu du {o} et choisissez l'option. Les changements s'appliquent à tous les utilisateurs de l'espace ; la source de données et sa connexion ne changent pas.",
    "ar": "افتح قائمة {o} واختر الخيار. تنطبق التغييرات على جميع مستخدمي المساحة؛ ولا يتأثر مصدر البيانات واتصاله.",
}


def distractors(n: int, seed: int = 7) -> list[tuple[str, list[str], dict]]:
    """Return ``n`` generated articles ``(category, codes, {lang: (title, body)})``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        o = rng.randrange(len(_OBJECTS["en"]))
        a = rng.randrange(len(_ACTIONS["en"]))
        versions = {}
        for lang in ("en", "es", "fr", "ar"):
            obj = _OBJECTS[lang][o]
            versions[lang] = (f"{_ACTIONS[lang][a].format(o=obj)} ({i + 1})",
                              _BODY[lang].format(o=obj))
        out.append(("general", [], versions))
    return out


def seed_kb(*, distractor_count: int = 180, internal_every: int = 0) -> dict[str, int]:
    """Write the corpus as published articles (and index it); return topic key -> id.

    ``internal_every``: make every n-th distractor internal (benchmarks: a realistic mix).
    """
    now = clock.now()
    ids: dict[str, int] = {}
    entries = [(key, *TOPICS[key]) for key in TOPICS]
    entries += [(f"gen{i}", *d) for i, d in enumerate(distractors(distractor_count))]
    with transaction.atomic():
        for n, (key, category, codes, versions) in enumerate(entries):
            internal = bool(internal_every) and key.startswith("gen") and n % internal_every == 0
            article = Article.objects.create(
                category=category, error_codes=codes, status=Article.Status.PUBLISHED,
                visibility=Article.Visibility.INTERNAL if internal else Article.Visibility.PUBLIC,
                created_at=now, updated_at=now, published_at=now)
            Translation.objects.bulk_create([
                Translation(article=article, language=lang, title=title, body_md=body,
                            body_html=render_markdown(body), updated_at=now)
                for lang, (title, body) in versions.items()])
            index_article(article)
            ids[key] = article.pk
    return ids


# (language, question, topic key): how customers ask, not the articles' titles.
QUESTIONS = [
    ("en", "my database connection says the password or username is wrong", "ds1001"),
    ("en", "DS-1002 when connecting, is it our firewall?", "ds1002"),
    ("en", "everything shows a 503 error, is the platform down?", "db2002"),
    ("en", "dashboards take forever to load", "db2003"),
    ("en", "scheduled refresh timed out overnight", "dr3003"),
    ("en", "API calls are rejected, key expired?", "api4001"),
    ("en", "getting too many requests from the API, rate limit", "api4004"),
    ("en", "it says permission denied when I try to edit", "perm5005"),
    ("en", "the phone app is stuck on the splash screen", "mob6006"),
    ("en", "how do I reset my password, I forgot it", "password"),
    ("en", "my deposit has not arrived in my balance", "deposit"),
    ("en", "where can I download invoices as PDF", "invoice"),
    ("en", "I received a suspicious phishing email", "phishing"),
    ("en", "workflow keeps retrying and never finishes", "workflow"),
    ("en", "gateway timeout 504 from the API gateway", "gateway"),
    ("en", "webhook deliveries are failing to our endpoint", "wh13001"),
    ("es", "No puedo conectar, dice que las credenciales no son válidas", "ds1001"),
    ("es", "¿Cómo configuro el inicio de sesión único SAML?", "sso_setup"),
    ("es", "el panel tarda muchísimo en cargar", "db2003"),
    ("es", "error de sintaxis en la fórmula del campo calculado", "calc7007"),
    ("es", "la aplicación del móvil no carga", "mob6006"),
    ("es", "quiero cancelar la suscripción y pedir un reembolso", "refund"),
    ("es", "olvidé mi contraseña, ¿cómo la restablezco?", "password"),
    ("es", "mi retiro sigue pendiente", "withdrawal"),
    ("es", "qué documentos necesito para verificar mi cuenta", "verification"),
    ("es", "mi cuenta está bloqueada después de varios intentos", "locked"),
    ("es", "los comentarios del panel no aparecen", "col11001"),
    ("es", "el mapa no dibuja las regiones", "map12001"),
    ("es", "las predicciones del modelo de IA salen vacías", "aimodel"),
    ("es", "la exportación CSV falla con error del servidor", "export"),
    ("es", "recibo API-4004 demasiadas solicitudes", "api4004"),
    ("es", "cómo invito a mi equipo", "onboarding"),
    ("fr", "impossible de me connecter par SSO, échec de connexion", "sso9001"),
    ("fr", "mes identifiants de base de données sont refusés", "ds1001"),
    ("fr", "le tableau de bord se charge très lentement", "db2003"),
    ("fr", "l'actualisation planifiée dépasse le délai", "dr3003"),
    ("fr", "autorisation refusée quand je modifie le projet", "perm5005"),
    ("fr", "le widget de carte est vide sur mon téléphone", "mob6007"),
    ("fr", "j'ai oublié mon mot de passe", "password"),
    ("fr", "mon dépôt n'est pas crédité", "deposit"),
    ("fr", "où télécharger mes factures", "invoice"),
    ("fr", "comment fonctionne l'escalade de ma demande", "escalation"),
    ("fr", "la passerelle d'API renvoie une erreur 504", "gateway"),
    ("fr", "le webhook n'est pas livré", "wh13001"),
    ("fr", "signaler une faille de sécurité", "phishing"),
    ("fr", "incident critique P1, qui appeler ?", "p1phone"),
    ("fr", "mon compte est verrouillé", "locked"),
    ("fr", "erreur 503 service indisponible partout", "db2002"),
    ("ar", "نسيت كلمة المرور كيف أعيد تعيينها", "password"),
    ("ar", "قاعدة البيانات ترفض اسم المستخدم وكلمة المرور", "ds1001"),
    ("ar", "لا يمكن الوصول إلى الخادم فشل الاتصال بمصدر البيانات", "ds1002"),
    ("ar", "لوحة المعلومات بطيئة جدا في التحميل", "db2003"),
    ("ar", "مفتاح API منتهي الصلاحية", "api4001"),
    ("ar", "تطبيق الجوال لا يعمل ويبقى على شاشة البداية", "mob6006"),
    ("ar", "محرك سير العمل عالق في إعادة المحاولة", "workflow"),
    ("ar", "نموذج الذكاء الاصطناعي يعطي نتائج فارغة", "aimodel"),
    ("ar", "الحساب مقفل بعد محاولات فاشلة", "locked"),
    ("ar", "الإيداع لم يصل إلى الرصيد", "deposit"),
    ("ar", "طلب السحب معلق", "withdrawal"),
    ("ar", "كيف أوثق حسابي وما المستندات المطلوبة", "verification"),
    ("ar", "أين أجد الفواتير", "invoice"),
    ("ar", "تسجيل الدخول الموحد SSO-9001 يفشل", "sso9001"),
    ("ar", "التعليقات لا تظهر على اللوحة", "col11001"),
    ("ar", "حادث حرج كيف أتصل بالمهندس المناوب", "p1phone"),
]
